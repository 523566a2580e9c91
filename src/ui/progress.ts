import * as vscode from 'vscode';

/**
 * Runs long work under a notification with the count done and a Cancel button; Cancel aborts the signal the work
 * passes on to the service (which stops what has not started and rolls back what it was making).
 */
export function withCancellableProgress<T>(
  title: string,
  total: number,
  work: (signal: AbortSignal, done: (count: number) => void) => Promise<T>,
): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let last = 0;
        progress.report({ message: `0 of ${total}` });
        const done = (count: number): void => {
          const increment = total > 0 ? ((count - last) / total) * 100 : 0;
          last = count;
          progress.report({ message: `${count} of ${total}${abort.signal.aborted ? ' (cancelling)' : ''}`, increment });
        };
        try {
          return await work(abort.signal, done);
        } finally {
          sub.dispose();
        }
      },
    ),
  );
}
