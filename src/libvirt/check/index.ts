/** check/: what check finds (lost clones, stray files, broken images, an unusable /dev/kvm) and its fixes. */
export * from './check';
export * from './findings';
export * from './fixes';
export * from './kvmAccess';
