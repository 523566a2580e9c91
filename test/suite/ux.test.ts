/**
 * What a new user meets, in the real extension host against the real daemon: progress that counts and ends before
 * the summary, template menus that follow staging and clones, a template problem shown whole, the status bar entry,
 * and the walkthrough.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CloneBed, virshState } from './util/cloneBed';
import { manifest, waitFor } from './util/extension';
import { WALKTHROUGH_ID } from '../../src/extension/commands/common/openWalkthrough';

describe('first steps and what the menus offer', function () {
  this.timeout(240_000);
  let b: CloneBed;
  before(async () => {
    b = await CloneBed.open('ux');
  });
  after(async () => b?.close());
  const run = (command: string, ...args: unknown[]): Thenable<unknown> => vscode.commands.executeCommand(command, ...args);

  it('a template offers Delete only without clones; its contextValue says so', async () => {
    assert.equal(b.api.tree.treeItem(b.templateNode()!).contextValue, 'template');
    await b.makeClones(3);
    assert.equal(b.api.tree.treeItem(b.templateNode()!).contextValue, 'templateWithClones');
  });

  it('the progress of a delete counts each clone done and is over before the summary', async () => {
    const events: string[] = [];
    const { progress, notify } = b.api.prompts;
    b.api.prompts.progress = (title, total, work) => {
      events.push(`start ${title}: ${total}`);
      return progress(title, total, (signal, done) =>
        work(signal, (count, of, last) => {
          events.push(`done ${count} of ${of ?? total}`);
          done(count, of, last);
        }),
      ).finally(() => events.push('progress over'));
    };
    b.api.prompts.notify = (severity, message, ...actions) => {
      events.push(`notice: ${message}`);
      return notify(severity, message, ...actions);
    };
    const nodes = b.clones();
    try {
      await run('qq2clone.rm', nodes[0], nodes);
    } finally {
      Object.assign(b.api.prompts, { progress, notify });
    }
    assert.deepEqual(events, [
      'start Delete clones: 3',
      'done 1 of 3',
      'done 2 of 3',
      'done 3 of 3',
      'progress over',
      'notice: Delete clones: 3 done.',
    ]);
    await run('qq2clone.refresh');
    assert.equal(b.clones().length, 0);
    assert.equal(b.api.tree.treeItem(b.templateNode()!).contextValue, 'template');
  });

  it('a broken template shows the kind of its problem in the row, the whole text in the tooltip and Show Problem', async () => {
    const name = `${b.bed.prefix}-half`;
    fs.writeFileSync(path.join(b.templateDir, `${name}.xml`), "<domain type='qemu'>\n  <name>half</name>\n");
    await run('qq2clone.refresh');
    const node = await waitFor('the broken template', () => b.api.tree.model.templates.find((t) => t.template.name === name));
    const whole = node.template.problem!;
    assert.match(whole, /not well-formed/i);
    const item = b.api.tree.treeItem(node);
    assert.equal(item.contextValue, 'brokenTemplate');
    assert.equal(item.description, '0 clones · problem: XML not well-formed');
    assert.ok((await b.api.tree.tooltip(node)).includes(whole), 'the tooltip has the whole problem');
    const from = b.notices.length;
    const shown = (await run('qq2clone.showTemplateProblem', node)) as string;
    assert.ok(shown.includes(whole));
    const notice = b.notices.slice(from).find((n) => n.message.includes(whole));
    assert.ok(notice, b.noticesText(from));
    assert.deepEqual(notice.actions, ['Edit Template XML', 'Delete Template']);
  });

  it('the status bar entry shows the connection and the clones running, and reveals the view', async () => {
    const [c] = await b.makeClones(1);
    await run('qq2clone.start', c);
    await run('qq2clone.refresh');
    assert.equal(virshState(c!.clone.name), 'running');
    const running = (): number =>
      b.api.tree.model.templates
        .flatMap((t) => t.clones)
        .filter((n) => !n.clone.staging && ['running', 'idle', 'in-shutdown'].includes(n.clone.state)).length;
    const uri = vscode.workspace.getConfiguration('qq2clone').get<string>('connectionUri');
    const text = await waitFor('the status bar to count the running clone', () => {
      const t = b.api.statusBar.text;
      return t === `$(vm-running) ${uri}: ${running()} running` && running() >= 1 ? t : undefined;
    });
    assert.match(text, /: [1-9]\d* running$/);
    assert.equal(b.api.statusBar.command, 'workbench.view.extension.qq2clone');
    await run('workbench.view.explorer');
    await waitFor('the view to be hidden by the Explorer', () => (b.api.tree.visible ? undefined : true));
    await run(b.api.statusBar.command as string);
    await waitFor('the status bar entry to reveal the view', () => (b.api.tree.visible ? true : undefined));
    await run('qq2clone.destroy', b.cloneNode(c!.clone.id));
  });

  it("Get Started opens the Welcome editor with our manifest's walkthrough id (the UI step checks its steps in the page)", async () => {
    // The extension API sees only a tab labelled "Welcome", whichever walkthrough it shows: what it shows is read in
    // the page by test/harness/uxShots.ts. Here: the id the command opens is the one our manifest declares.
    const m = manifest() as unknown as { publisher: string; name: string; contributes: { walkthroughs?: { id: string }[] } };
    assert.equal(WALKTHROUGH_ID, `${m.publisher}.${m.name}#${m.contributes.walkthroughs?.[0]?.id}`);
    await run('workbench.action.closeAllEditors');
    await run('qq2clone.openWalkthrough');
    await waitFor('the Welcome tab', () => (vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.label === 'Welcome') ? true : undefined));
    await run('workbench.action.closeAllEditors');
  });
});
