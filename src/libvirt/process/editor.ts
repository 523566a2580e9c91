/**
 * Running the user's text editor on a file (the CLI's edit commands), with the terminal handed over to it.
 * Only here is the editor spawned.
 */
import { spawn } from 'node:child_process';
import { CancelledError, ExternalCommandError } from '../../core/errors';

/** The editor command: $VISUAL, else $EDITOR, else vi; `explicit` says whether one of them was set. */
export function editorOf(env: NodeJS.ProcessEnv): { command: string; explicit: boolean } {
  const set = env.VISUAL?.trim() || env.EDITOR?.trim();
  return set ? { command: set, explicit: true } : { command: 'vi', explicit: false };
}

/**
 * Runs `editor` on `file` with stdio inherited and waits for it to exit. The editor setting may carry arguments
 * (`code --wait`, `sed -i s/a/b/`), so it runs as `sh -c '<editor> "$1"' sh FILE`: the file name is passed as an
 * argument, never spliced into the text. Throws ExternalCommandError (exit 14) when the editor cannot run or exits
 * non-zero, CancelledError when the signal aborts (the editor is killed).
 */
export function runEditor(editor: string, file: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const child = spawn('sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit' });
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new ExternalCommandError(`Cannot run the editor ${editor}: ${e.message}. Set VISUAL or EDITOR.`, { command: editor }));
    });
    child.on('exit', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(new CancelledError());
      if (code === 0) return resolve();
      const how = sig ? `was killed by ${sig}` : code === 127 ? 'was not found (exit 127)' : `exited with status ${code}`;
      reject(new ExternalCommandError(`The editor ${editor} ${how}.`, { command: editor, ...(code !== null ? { exitCode: code } : {}) }));
    });
  });
}
