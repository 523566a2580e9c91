/** clones/: clone, list, the SET operations, exec, connect, edit and identity. */
export * from './clone';
export * from './connect';
export * from './edit';
export * from './exec';
export * from './list';
export * from './identity';
export * from './setOperations';
