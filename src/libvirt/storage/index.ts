/** storage/: the files behind clones and templates: where new images go, overlays and their backing chains, image headers, which images are in use, QEMU's image lock. */
export * from './storage';
export * from './storageDir';
export * from './images';
export * from './imageInfo';
export * from './imageLock';
export * from './usage';
export * from './managedSave';
export * from './imageStore';
export * from './localFiles';
export * from './poolStore';
export * from './volumeXml';
export * from './noSpace';
export * from './connections';
