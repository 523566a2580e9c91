/** identity/: every clone its own identity (hostname, machine-id, SSH host keys pinned in advance, a user's key), written offline into the clones' disks with one libguestfs appliance per batch. */
export * from './hostKeys';
export * from './writeIdentities';
export * from './newIdentity';
export * from './templateIdentity';
export * from './cloneIdentities';
