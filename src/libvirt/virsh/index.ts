/** virsh/: long-lived virsh sessions and their pool, quoting of command lines, the lifecycle event stream, and the parsers of virsh's output and states. */
export * from './session';
export * from './pool';
export * from './quote';
export * from './events';
export * from './parse';
export * from './states';
