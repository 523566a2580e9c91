/** Helpers for extension-host tests: the activated extension, settings changed for one test, polling. */
import * as vscode from 'vscode';
import type { Qq2cloneExports } from '../../../src/extension/extension';

export const EXTENSION_ID = 'qq2clone.qq2clone-vscode';

export function extension(): vscode.Extension<Qq2cloneExports> {
  const ext = vscode.extensions.getExtension<Qq2cloneExports>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded in this host`);
  return ext;
}

/** Activates the extension (idempotent) and returns what activate() returned. */
export async function activated(): Promise<Qq2cloneExports> {
  return extension().activate();
}

/** The manifest the host loaded (package.json of the extension under test). */
export function manifest(): {
  contributes: {
    commands?: { command: string }[];
    viewsWelcome?: { view: string; contents: string; when?: string }[];
    menus?: Record<string, { command?: string; when?: string }[]>;
  };
} {
  return extension().packageJSON as ReturnType<typeof manifest>;
}

/**
 * Sets a qq2clone setting (user level) for the duration of fn and puts the previous value back, also when fn throws.
 */
export async function withSetting<T>(key: string, value: unknown, fn: () => Promise<T>): Promise<T> {
  const cfg = vscode.workspace.getConfiguration('qq2clone');
  const before = cfg.inspect(key)?.globalValue;
  await cfg.update(key, value, vscode.ConfigurationTarget.Global);
  try {
    return await fn();
  } finally {
    await vscode.workspace.getConfiguration('qq2clone').update(key, before, vscode.ConfigurationTarget.Global);
  }
}

/** Polls until check() returns a value other than undefined; throws with `what` after `limitMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, limitMs = 30_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
