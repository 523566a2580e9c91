/** policy/: power-off policies and the qemu hook that applies them. */
export * from './hook';
export * from './policy';
export * from './policyArgs';
