import * as vscode from 'vscode';
import { progressIncrement, progressMessage, type ProgressState } from './progressText';

/**
 * VS Code keeps a progress notification on screen at least 800 ms after it began (and sends reports at most every
 * 100 ms): work shorter than that waits out the rest, so that the summary never appears next to a progress that
 * looks unfinished.
 */
const MIN_SHOWN_MS = 850;

/** What the work tells the notification: how many are done, of how many (when the service knows better), which. */
export type ProgressDone = (count: number, total?: number, last?: string) => void;

/**
 * Runs long work under a notification with the count done and a Cancel button; Cancel aborts the signal the work
 * passes on to the service (which stops what has not started and rolls back what it was making). The notification
 * closes as soon as the work is over (the caller's summary comes after it), whatever it last said.
 */
export function withCancellableProgress<T>(
  title: string,
  total: number,
  work: (signal: AbortSignal, done: ProgressDone) => Promise<T>,
): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        let state: ProgressState = { done: 0, total };
        const show = (next: ProgressState): void => {
          const increment = progressIncrement(state, next);
          state = next;
          progress.report({ message: progressMessage(state), increment });
        };
        const sub = token.onCancellationRequested(() => {
          abort.abort();
          show({ ...state, cancelling: true });
        });
        progress.report({ message: progressMessage(state) });
        const done: ProgressDone = (count, newTotal, last) =>
          show({ done: count, total: newTotal ?? state.total, ...(last ? { last } : {}), cancelling: abort.signal.aborted });
        const began = Date.now();
        try {
          const result = await work(abort.signal, done);
          progress.report({ message: progressMessage({ ...state, last: undefined }) });
          const rest = MIN_SHOWN_MS - (Date.now() - began);
          if (rest > 0) await new Promise((r) => setTimeout(r, rest));
          return result;
        } finally {
          sub.dispose();
        }
      },
    ),
  );
}
