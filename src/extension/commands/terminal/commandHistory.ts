import type * as vscode from 'vscode';
import { prompts } from '../../ui/prompts';

const KEY = 'qq2clone.exec.history';
const MAX = 20;
/** Without a Memento (no extension context) the history lives as long as the extension host. */
let memory: string[] = [];

function read(state: vscode.Memento | undefined): string[] {
  return state ? state.get<string[]>(KEY, []) : memory;
}

/** Puts `command` first in the history (no duplicates, at most MAX entries). */
export async function remember(state: vscode.Memento | undefined, command: string): Promise<void> {
  const next = [command, ...read(state).filter((c) => c !== command)].slice(0, MAX);
  if (state) await state.update(KEY, next);
  else memory = next;
}

/**
 * Asks for the exec command string: recent commands first (pick one to edit and run it), or a new one. Says how
 * the manual's variables work. Undefined when cancelled.
 */
export async function askCommand(state: vscode.Memento | undefined, title: string): Promise<string | undefined> {
  const history = read(state);
  let value = '';
  if (history.length) {
    const NEW = { label: '$(add) New command…', command: '' };
    const picked = await prompts.quickPick([NEW, ...history.map((c) => ({ label: c, command: c }))], {
      title,
      placeHolder: 'A recent command (you can edit it next), or a new one',
    });
    if (!picked) return undefined;
    value = picked.command;
  }
  const text = await prompts.inputBox({
    title,
    value,
    prompt: 'Runs in bash once per clone with $uuid, $name and $disks set, e.g. virsh domblklist "$uuid"',
    placeHolder: 'virsh console "$uuid"',
    ignoreFocusOut: true,
    validateInput: (t) => (t.trim() === '' ? 'Type a command' : undefined),
  });
  return text === undefined || text.trim() === '' ? undefined : text;
}
