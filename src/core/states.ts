/** The manual's machine states (SETS section), plus libvirt's reason kept for display. */

export const CLONE_STATES = [
  'running',
  'idle',
  'paused',
  'in-shutdown',
  'off',
  'crashed',
  'pmsuspended',
  'saved',
] as const;
export type CloneState = (typeof CLONE_STATES)[number];

export function isCloneState(s: string): s is CloneState {
  return (CLONE_STATES as readonly string[]).includes(s);
}
