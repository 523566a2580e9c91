/** process/: every program the product starts goes through here: libvirt's tools through the one runner (typed failures, cancellation, slow-call reports), and the user's own programs (the editor, bash for exec). */
export * from './execa';
export * from './runner';
export * from './failures';
export * from './slowCalls';
export * from './tools';
export * from './editor';
export * from './exec';
export * from './locks';
