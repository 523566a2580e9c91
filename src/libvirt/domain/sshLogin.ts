/**
 * A template may name the user its machines are logged in as over SSH, in its <metadata>, in a namespace of its own
 * so that it never competes with our bookkeeping element (libvirt keeps one element per namespace):
 *   <metadata><ssh:login xmlns:ssh="https://qq2clone.invalid/xmlns/ssh/1" user="debian"/></metadata>
 * Clones carry it on (cloning keeps foreign metadata), so a clone's own XML answers. Pure.
 */
import { scanWellFormedXml, child, attr } from '../../core/xmlScan';

export const SSH_NS = 'https://qq2clone.invalid/xmlns/ssh/1';

/** A user name ssh accepts as a login without surprises (no option, no spaces). */
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** The SSH login user a domain's metadata names, or undefined (none, or a name that is not a plain user name). */
export function sshLoginOf(domainXml: string): string | undefined {
  let metadata;
  try {
    metadata = child(scanWellFormedXml(domainXml), 'metadata');
  } catch {
    return undefined;
  }
  for (const el of metadata?.children ?? []) {
    if (el.name.replace(/^.*:/, '') !== 'login') continue;
    if (!el.attrs.some((a) => (a.name === 'xmlns' || a.name.startsWith('xmlns:')) && a.value === SSH_NS)) continue;
    const user = attr(el, 'user')?.value.trim();
    return user && USER.test(user) ? user : undefined;
  }
  return undefined;
}
