/**
 * The test guest: a tiny real Linux (Debian's cloud kernel, busybox, dropbear, qemu-guest-agent) built from Debian
 * packages and cached per recipe, its domain XML, and the ways tests talk to it. See README.md here.
 */
export { ensureGuest, recipeHash, CACHE_ROOT, type GuestImage } from './image';
export { guestDomainXml, VNC_LOOPBACK, type GuestDomainOptions } from './domain';
export { waitForGuest, guestExec, forwardSsh, sshArgs, type GuestExecResult } from './agent';
export { READY_MARKER } from './recipe';
