/** Entry point of disk access through libguestfs: the appliance pool, the helper protocol and their errors. */
export { DiskAccess, LocalExistsError, targetKey, targetWhat, type DiskTarget, type DirEntry, type StatResult, type DiffProgress } from './disk';
export { GuestPathError, GUESTFS_PACKAGES, INSTALL_HINT } from './errors';
export type { Mounted } from './client';
export { GuestfsHelper, type Drive } from './client';
export { guestfsError } from './errors';
