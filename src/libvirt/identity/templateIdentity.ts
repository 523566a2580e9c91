/**
 * Turning a template's identity setting on (with its hostname pattern and an optional authorized key) or off. Linux
 * guests only: a template whose libosinfo metadata names another system is refused with the reason (a guest
 * without that metadata is checked when its identity is written: no Linux system on the disk, no identity).
 */
import { FileTypeError, UsageError } from '../../core/errors';
import { hostnamePatternProblem } from '../../core/hostnamePattern';
import type { LibvirtService } from '../api';
import { withIdentity, type IdentitySetting } from '../domain';
import { attr, child, scanWellFormedXml } from '../../core/xmlScan';

/** The system a domain's libosinfo metadata names when it is not Linux ("Windows", "FreeBSD"...), or undefined. */
export function nonLinuxOs(xml: string): string | undefined {
  let id: string | undefined;
  try {
    const md = child(scanWellFormedXml(xml), 'metadata');
    const info = md?.children.find((c) => c.name.replace(/^.*:/, '') === 'libosinfo');
    id = attr(info?.children.find((c) => c.name.replace(/^.*:/, '') === 'os'), 'id')?.value;
  } catch {
    return undefined;
  }
  const m = id && /^https?:\/\/([^/]+)\/([^/]*)/.exec(id);
  if (!m) return undefined;
  const [, host, name] = m;
  if (/microsoft\.com/.test(host!)) return 'Windows';
  if (/freebsd|openbsd|netbsd|dragonflybsd/.test(host!)) return host!.replace(/\..*$/, '');
  if (/apple\.com/.test(host!)) return 'macOS';
  if (/oracle\.com/.test(host!) && /solaris/.test(name!)) return 'Solaris';
  return undefined;
}

/** Why this setting cannot be given to this template, or undefined. */
export function identityProblem(templateXml: string, s: IdentitySetting): string | undefined {
  const os = nonLinuxOs(templateXml);
  if (os) return `The template is a ${os} guest: a new identity (hostname, machine-id, SSH host keys) is written for Linux guests only.`;
  const p = hostnamePatternProblem(s.hostname);
  if (p) return p;
  if (s.authorizedKey && !/^(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+ [A-Za-z0-9+/]+={0,3}( .*)?$/.test(s.authorizedKey.trim()))
    return 'The key to authorize is not an OpenSSH public key line ("ssh-ed25519 AAAA... comment").';
  return undefined;
}

/** Sets (or, with undefined, removes) a template's identity setting; new clones of it get an identity from then on. */
export async function setTemplateIdentity(svc: LibvirtService, template: string, s: IdentitySetting | undefined, signal?: AbortSignal): Promise<void> {
  await svc.withTemplateLock(
    template,
    async () => {
      const xml = await svc.templateXml(template);
      const problem = s && identityProblem(xml, s);
      if (problem) throw s && nonLinuxOs(xml) ? new FileTypeError(problem) : new UsageError(problem);
      const next = withIdentity(xml, s && { ...s, ...(s.authorizedKey ? { authorizedKey: s.authorizedKey.trim() } : {}) });
      if (next !== xml) await svc.writeTemplateXml(template, next);
    },
    signal,
  );
}
