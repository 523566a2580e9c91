/**
 * Every question and notification the commands put to the user goes through `prompts`, so the extension-host tests
 * can answer them (activate() exports this object; a test replaces members and puts them back).
 */
import * as vscode from 'vscode';
import { withCancellableProgress, type ProgressDone } from './progress';

export type Severity = 'info' | 'warning' | 'error';

export interface Prompts {
  inputBox(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  quickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  quickPickMany<T extends vscode.QuickPickItem>(
    items: readonly T[],
    options: vscode.QuickPickOptions,
  ): Thenable<readonly T[] | undefined>;
  /** A modal question with one action besides Cancel; true when the action was chosen. */
  confirm(message: string, detail: string, action: string): Thenable<boolean>;
  /** A notification; resolves with the action clicked, if any. Not awaited by the commands. */
  notify(severity: Severity, message: string, ...actions: string[]): Thenable<string | undefined>;
  /** Long work with the count done and Cancel (which aborts the signal). */
  progress<T>(title: string, total: number, work: (signal: AbortSignal, done: ProgressDone) => Promise<T>): Promise<T>;
}

export const vscodePrompts: Prompts = {
  inputBox: (o) => vscode.window.showInputBox(o),
  quickPick: (items, o) => vscode.window.showQuickPick(items, { ...o, canPickMany: false }),
  quickPickMany: (items, o) => vscode.window.showQuickPick(items, { ...o, canPickMany: true }),
  confirm: async (message, detail, action) =>
    (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action,
  notify: (severity, message, ...actions) =>
    severity === 'error'
      ? vscode.window.showErrorMessage(message, ...actions)
      : severity === 'warning'
        ? vscode.window.showWarningMessage(message, ...actions)
        : vscode.window.showInformationMessage(message, ...actions),
  progress: withCancellableProgress,
};

/** The prompts in use: the real ones unless a test replaced members. */
export const prompts: Prompts = { ...vscodePrompts };
