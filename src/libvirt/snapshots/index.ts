/** snapshots/: internal snapshots of clones (kept in their qcow2 overlays): the guard that only ever lets libvirt write into a clone's own overlays, taking, reverting and deleting on a list of clones, and reading them. */
export * from './parse';
export * from './guard';
export * from './snapshotOps';
export * from './list';
export * from './snapshotSet';
export * from './bookkeeping';
export * from './external';
