/**
 * `list xml` (manual: CLONE COMMANDS, list): one document, `<qq2clone>` holding a `<template name=...>` per
 * template with a `<clone id= name= uuid= state=>` per clone, in number order.
 */
import type { Inventory } from '../libvirt/api';

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

export function inventoryXml(inv: Inventory): string {
  const names = [...new Set([...inv.templates.map((t) => t.name), ...inv.clones.map((c) => c.template)])].sort();
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<qq2clone>'];
  for (const name of names) {
    const clones = inv.clones.filter((c) => c.template === name && !c.staging).sort((a, b) => a.id - b.id);
    if (clones.length === 0) {
      lines.push(`  <template name="${xmlAttr(name)}"/>`);
      continue;
    }
    lines.push(`  <template name="${xmlAttr(name)}">`);
    for (const c of clones) {
      lines.push(`    <clone id="${c.id}" name="${xmlAttr(c.name)}" uuid="${xmlAttr(c.uuid)}" state="${xmlAttr(c.state)}"/>`);
    }
    lines.push('  </template>');
  }
  lines.push('</qq2clone>');
  return `${lines.join('\n')}\n`;
}
