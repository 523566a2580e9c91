/**
 * What a libvirt connection URI says about where its domains' files are. Clone images are files of this machine
 * (the local image store): a connection to another machine must never have this machine's files made, reset or
 * deleted on its behalf, and a session daemon belongs to one account.
 */

/** Why `uri` cannot act on this machine's files (it reaches another machine), or undefined when it is local. */
export function notLocalFiles(uri: string): string | undefined {
  const m = /^([a-z][a-z0-9.-]*)(?:\+([a-z0-9.-]+))?:\/\/([^/?#]*)/i.exec(uri.trim());
  if (!m) return undefined; // not a URI with an authority (e.g. "test:///default"-like forms are matched above)
  const transport = (m[2] ?? '').toLowerCase();
  const host = m[3] ?? '';
  if (!host && (transport === '' || transport === 'unix')) return undefined;
  return (
    `${uri} is a connection to another machine: qq2clone manages clone images only on this machine, so it does not ` +
    `make, reset or delete them for that connection. Run qq2clone on that machine, or use a local connection ` +
    `(qemu:///system, qemu:///session).`
  );
}

/** True when `uri` is a per-account session daemon (its path is /session). */
export function isSessionUri(uri: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\/session(?:[?#]|$)/i.test(uri.trim());
}

/**
 * The URI as the product connects with it: over SSH (`+ssh`, `+libssh`, `+libssh2`) with `no_tty=1`, so that ssh
 * never waits for a password or a host-key answer on a terminal nobody watches (it fails and says why instead).
 */
export function transportUri(uri: string): string {
  const u = uri.trim();
  if (!/^[a-z][a-z0-9.-]*\+(ssh|libssh2?):\/\//i.test(u) || /[?&]no_tty=/.test(u)) return uri;
  const hash = u.indexOf('#');
  const [head, tail] = hash < 0 ? [u, ''] : [u.slice(0, hash), u.slice(hash)];
  return `${head}${head.includes('?') ? '&' : '?'}no_tty=1${tail}`;
}
