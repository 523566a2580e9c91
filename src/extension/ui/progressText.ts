/** What a progress notification says (pure: the unit tests read it). */

export interface ProgressState {
  /** Items finished. */
  readonly done: number;
  /** Items the work really does (the service may skip some of those asked: its count replaces the first one). */
  readonly total: number;
  /** The item finished last, by name. */
  readonly last?: string;
  readonly cancelling?: boolean;
}

/** "1 of 3 (web-2 done)", "3 of 3", "2 of 3 (cancelling)". */
export function progressMessage(s: ProgressState): string {
  const detail = s.cancelling ? 'cancelling' : s.last && s.done < s.total ? `${s.last} done` : '';
  return `${Math.min(s.done, s.total)} of ${s.total}${detail ? ` (${detail})` : ''}`;
}

/** The increment (percent of the bar) from one state to the next; the bar never goes back. */
export function progressIncrement(before: ProgressState, after: ProgressState): number {
  const share = (s: ProgressState): number => (s.total > 0 ? Math.min(1, s.done / s.total) * 100 : 0);
  return Math.max(0, share(after) - share(before));
}
