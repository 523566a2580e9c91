/** clones/: clone, list, exec, connect and edit. */
export * from './clone';
export * from './connect';
export * from './edit';
export * from './exec';
export * from './list';
export * from './identity';
