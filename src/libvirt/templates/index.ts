/** templates/: template files (listing, reading, writing, import, copy, rename, delete) and their image generations. */
export * from './templateFiles';
export * from './templateOps';
export * from './importSource';
export * from './retargetClones';
export * from './generations';
export * from './editedTemplate';
export * from './hostCopy';
