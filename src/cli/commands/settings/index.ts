/** settings/: config and validate. */
export * from './config';
export * from './configEdit';
export * from './validate';
