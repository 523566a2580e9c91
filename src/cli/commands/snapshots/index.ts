/** snapshots/: snapshots of clones (take, revert, delete on a SET; list one machine's). */
export * from './snapshot';
export * from './snapshotList';
