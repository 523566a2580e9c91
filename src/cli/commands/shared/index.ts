/** shared/: what the CLI commands share: the CliCommand type, argument checks, questions. */
export * from './ask';
export * from './batchReport';
export * from './expectArgs';
export * from './flags';
export * from './types';
export * from './editFile';
