/**
 * `list xml` (manual: CLONE COMMANDS, list): one document, `<qq2clone>` holding a `<template name=...>` per
 * template with a `<clone id= name= uuid= state=>` per clone, in number order.
 */
import type { Inventory } from '../libvirt/api';
import type { ImageReport } from '../libvirt/templates';
import type { CloneAddresses } from '../libvirt/guests';
import type { PowerOffPolicy } from '../libvirt/policy';
import type { AppliedIdentity } from '../libvirt/domain';

/** A running clone's addresses for `list xml`: domifaddr's answer and an SSH forward, when one exists. */
export type XmlAddresses = ReadonlyMap<string, CloneAddresses & { readonly sshPort?: number }>;

/** `<address>` elements of one clone (source: agent, lease, arp; forward: the 127.0.0.1 port to its port 22). */
function addressLines(a: (CloneAddresses & { readonly sshPort?: number }) | undefined): string[] {
  if (!a) return [];
  const lines = a.addresses.map(
    (x) =>
      `      <address source="${xmlAttr(a.source ?? '')}" interface="${xmlAttr(x.iface)}" mac="${xmlAttr(x.mac)}" type="${x.protocol}" ip="${xmlAttr(x.address)}"${x.prefix !== undefined ? ` prefix="${x.prefix}"` : ''}/>`,
  );
  if (a.sshPort) lines.push(`      <address source="forward" type="ipv4" ip="127.0.0.1" port="${a.sshPort}" guest-port="22"/>`);
  return lines;
}
/** Escapes text for a double-quoted XML attribute (control characters as character references). */
export function xmlAttr(value: string | number): string {
  return String(value).replace(/[&<>"'\t\n\r]|[\x00-\x08\x0b\x0c\x0e-\x1f]/g, (ch) => {
    switch (ch) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        // XML 1.0 cannot hold C0 controls other than tab, LF, CR; those three are kept as references.
        return /[\t\n\r]/.test(ch) ? `&#${ch.charCodeAt(0)};` : '\uFFFD';
    }
  });
}

/**
 * A clone's power-off policy as attributes (policy="reset" on="shutdown,destroyed"); nothing for keep, the default.
 * A template's default has the prefix "default-".
 */
function policyAttrs(p: PowerOffPolicy | undefined, prefix = ''): string {
  if (!p || p.action === 'keep') return '';
  return ` ${prefix}policy="${p.action}" ${prefix}on="${xmlAttr(p.on.join(','))}"`;
}

/**
 * With `addresses`: each running clone lists its addresses (<address source= interface= mac= type= ip= prefix=>).
 * With `images`: each template also lists its current images (<image target= generation= path=>) and its staging
 * clone (<staging>), and each clone the image generation it was made from (generation=). With `identities`: a clone
 * given its own identity has hostname= and a <host-key type= fingerprint=> per SSH host key written into it.
 */
export function inventoryXml(inv: Inventory, images?: ImageReport, addresses?: XmlAddresses, identities?: ReadonlyMap<string, AppliedIdentity>): string {
  const names = [...new Set([...inv.templates.map((t) => t.name), ...inv.clones.map((c) => c.template)])].sort();
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<qq2clone>'];
  for (const name of names) {
    const clones = inv.clones.filter((c) => c.template === name && !c.staging).sort((a, b) => a.id - b.id);
    const inner: string[] = [];
    for (const i of images?.templates.get(name) ?? []) {
      inner.push(`    <image target="${xmlAttr(i.target)}" generation="${i.generation}" path="${xmlAttr(i.image)}"/>`);
    }
    for (const s of images ? inv.clones.filter((c) => c.template === name && c.staging) : []) {
      inner.push(`    <staging name="${xmlAttr(s.name)}" uuid="${xmlAttr(s.uuid)}" state="${xmlAttr(s.state)}"/>`);
    }
    for (const c of clones) {
      const gen = images?.clones.get(c.uuid);
      const id = identities?.get(c.uuid);
      const open = `    <clone id="${c.id}" name="${xmlAttr(c.name)}" uuid="${xmlAttr(c.uuid)}" state="${xmlAttr(c.state)}"${gen ? ` generation="${gen}"` : ''}${policyAttrs(c.policy)}${id ? ` hostname="${xmlAttr(id.hostname)}"` : ''}`;
      const addr = [...addressLines(addresses?.get(c.uuid)), ...(id?.keys ?? []).map((k) => `      <host-key type="${xmlAttr(k.type)}" fingerprint="${xmlAttr(k.fingerprint)}"/>`)];
      if (addr.length) inner.push(`${open}>`, ...addr, '    </clone>');
      else inner.push(`${open}/>`);
    }
    const head = `  <template name="${xmlAttr(name)}"${policyAttrs(inv.templates.find((t) => t.name === name)?.policy, 'default-')}`;
    if (inner.length === 0) {
      lines.push(`${head}/>`);
      continue;
    }
    lines.push(`${head}>`, ...inner, '  </template>');
  }
  lines.push('</qq2clone>');
  return `${lines.join('\n')}\n`;
}
