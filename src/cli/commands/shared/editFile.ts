/** The user's editor on a temporary copy of some XML, for the CLI's edit commands. */
import * as fs from 'node:fs';
import type { CliContext } from '../../context';
import { runEditor } from '../../../libvirt/process';

/**
 * Runs `editor` on `file`, which held `original`. When the editor fails (exits non-zero, is killed, or the user
 * presses Ctrl-C) after the text was changed, the changed text is not lost: `keep()` is called (the caller then
 * leaves the file in place), where it is is said on stderr, and the failure is thrown on.
 */
export async function editCopy(ctx: CliContext, editor: string, file: string, original: string, keep: () => void, signal?: AbortSignal): Promise<void> {
  try {
    await runEditor(editor, file, signal);
  } catch (e) {
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // removed by the editor: nothing to keep
    }
    if (text !== undefined && text !== original) {
      keep();
      ctx.out.error(`The edit was not finished; your edits are in ${file}.`);
    }
    throw e;
  }
}
