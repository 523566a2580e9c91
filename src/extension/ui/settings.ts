import * as vscode from 'vscode';

/** The UI-side settings (the manual's CONFIG); the service reads its own (URI, directories, storage). */
export interface UiSettings {
  /** TEMPLATE: the template clone commands use from the palette; empty means "ask". */
  readonly defaultTemplate: string;
  /** NORUN inverted: start clones after making them. */
  readonly runAfterClone: boolean;
  /** QUIET: no notification when all went well. */
  readonly quiet: boolean;
}

export function uiSettings(): UiSettings {
  const c = vscode.workspace.getConfiguration('qq2clone');
  return {
    defaultTemplate: c.get<string>('defaultTemplate', '').trim(),
    runAfterClone: c.get<boolean>('runAfterClone', true),
    quiet: c.get<boolean>('quiet', false),
  };
}
