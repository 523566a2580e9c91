/** setOps/: the manual's SET operations (start, destroy, suspend, resume, save, save-rm, rm, rm-wipe, rm-shred), one shared runner. */
export * from './destroy';
export * from './resume';
export * from './rm';
export * from './rmShred';
export * from './rmWipe';
export * from './save';
export * from './saveRm';
export * from './setOperation';
export * from './start';
export * from './suspend';
