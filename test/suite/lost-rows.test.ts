/**
 * A command chosen from a tree row whose row the tree no longer has (VS Code hands the command undefined for a row
 * whose handle it lost when the tree refreshed between the right-click and the click): it says so and asks nothing,
 * never "which clones?" with `all` filled in as from the palette.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activated } from './util/extension';

describe('commands from a row the tree no longer has', function () {
  this.timeout(120_000);

  it('say the row is gone and ask nothing, for stop, revert and delete commands', async () => {
    const api = await activated();
    const saved = { ...api.prompts };
    const notices: string[] = [];
    const asked: string[] = [];
    api.prompts.notify = (_severity, message) => {
      notices.push(message);
      return Promise.resolve(undefined);
    };
    api.prompts.inputBox = (o) => {
      asked.push(`input: ${o.title ?? ''} [${o.value ?? ''}]`);
      return Promise.resolve(undefined);
    };
    api.prompts.quickPick = (_items, o) => {
      asked.push(`pick: ${o.title ?? ''}`);
      return Promise.resolve(undefined);
    };
    const commands = ['qq2clone.shutdown', 'qq2clone.destroy', 'qq2clone.rm', 'qq2clone.saveRm'];
    try {
      for (const c of commands) await vscode.commands.executeCommand(c, undefined);
    } finally {
      Object.assign(api.prompts, saved);
    }
    assert.deepEqual(asked, [], 'nothing was asked');
    assert.deepEqual(notices, commands.map(() => 'The item you chose is no longer in the tree (it changed before the click): nothing was done. Choose it again.'));
  });
});
