/**
 * What a user is told when a domain XML document is not saved because it is invalid: plainly that nothing was
 * defined and why, with what helps (the problems, saving without the schema check, the XML as defined now).
 */
import * as vscode from 'vscode';
import type { XmlProblem } from '../../libvirt/validation';
import { prompts } from '../ui/prompts';
import { refusedSaveMessage } from './refusalMessage';

export { refusedSaveMessage };

export const SHOW_PROBLEMS = 'Show Problems';
export const SAVE_ANYWAY = 'Save Without Validation';
export const COMPARE = 'Compare with Defined XML';

/** Documents whose refusal notice is showing. */
const open = new Set<string>();

/**
 * Tells the user, with actions (at most one notice per document at a time); resolves once the chosen action ran.
 * `saveAnyway` and `compare` are the document operations (given so that this module does not depend on them).
 */
export async function tellRefusedSave(
  uri: vscode.Uri,
  problems: readonly XmlProblem[],
  ops: { saveAnyway: (doc: vscode.TextDocument) => Promise<boolean>; compare: (uri: vscode.Uri) => Promise<void> },
): Promise<string | undefined> {
  // One notice per document at a time: repeated saves (auto-save) do not pile them up.
  const key = uri.toString();
  if (open.has(key)) return undefined;
  open.add(key);
  let choice: string | undefined;
  try {
    choice = await prompts.notify('error', refusedSaveMessage(uri.path, problems), SHOW_PROBLEMS, SAVE_ANYWAY, COMPARE);
  } finally {
    open.delete(key);
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (choice === SHOW_PROBLEMS) await vscode.commands.executeCommand('workbench.actions.view.problems');
  else if (choice === SAVE_ANYWAY && doc) await ops.saveAnyway(doc);
  else if (choice === COMPARE) await ops.compare(uri);
  return choice;
}
