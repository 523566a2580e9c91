/** clones/: making clones, the SET operations on them (start ... rm), the inventory of clones and their states, redefining an edited clone, and the staging clone of prepare-image. */
export * from './makeClones';
export * from './setOperations';
export * from './inventory';
export * from './redefine';
export * from './staging';
export * from './macs';
export * from './cloneBatch';
