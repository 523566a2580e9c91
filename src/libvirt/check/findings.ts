/** What check finds: each finding says what it is and what its fix does (check.ts finds, checkFix.ts fixes). */

export type FindingKind =
  | 'orphan-overlay'
  | 'stray-file'
  | 'missing-template'
  | 'backing-missing'
  | 'backing-changed'
  | 'disk-unreadable'
  | 'stale-saved-state'
  | 'invalid-template'
  | 'duplicate-id'
  | 'writable-base'
  | 'image-writable'
  | 'unused-generation'
  | 'kvm-unusable'
  | 'snapshot-data-missing';

export interface Finding {
  readonly kind: FindingKind;
  /** The template it concerns, when known. */
  readonly template?: string;
  /** What it is, in one sentence. */
  readonly message: string;
  /** What the fix does; undefined when there is no safe automatic fix (then `advice` says what to do). */
  readonly fix?: string;
  /** The fix removes a clone or sets a template aside: apply it only when the user chose it by itself. */
  readonly explicit?: boolean;
  readonly advice?: string;
  /** The file the fix deletes or changes, or the domain it acts on. */
  readonly file?: string;
  readonly uuid?: string;
  /** The snapshot it concerns (snapshot-data-missing). */
  readonly snapshot?: string;
  /** The file was written within its grace period: it may belong to a clone or image being made right now. */
  readonly recent?: boolean;
}
