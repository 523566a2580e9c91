/** disks/: disk contents through libguestfs: ls, cat, diff, copy-in, copy-out. */
export * from './cat';
export * from './copyIn';
export * from './copyOut';
export * from './diff';
export * from './diskShared';
export * from './ls';
