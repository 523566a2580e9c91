/**
 * Foundation checks inside a real extension host: the extension activates, every contributed command exists, the view
 * opens and its tree reads the real daemon, and an unreachable daemon leaves the tree empty for the welcome view
 * (what failed, what to do, Retry) until Retry after the cause is fixed brings the tree back.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { tinyDomainXml } from '../testbed';
import { activated, extension, manifest, waitFor, withSetting } from './util/extension';

/** A URI whose daemon socket does not exist: virsh fails to connect, as with a stopped daemon. */
const NO_DAEMON_URI = 'qemu+unix:///system?socket=/nonexistent/libvirt-sock';
/** libvirt's in-process test driver: each virsh has its own, with one foreign domain and none of ours. */
const TEST_DRIVER_URI = 'test:///default';

describe('foundation', () => {
  it('activates and hands its tree API to the tests', async () => {
    const api = await activated();
    assert.equal(extension().isActive, true);
    assert.equal(typeof api.tree.refresh, 'function');
  });

  it('registers every command that package.json contributes, and every command the welcome views link to', async () => {
    await activated();
    const registered = new Set(await vscode.commands.getCommands(true));
    const m = manifest().contributes;
    const contributed = (m.commands ?? []).map((c) => c.command);
    assert.ok(contributed.includes('qq2clone.refresh'), 'package.json contributes qq2clone.refresh (the Retry)');
    const linked = (m.viewsWelcome ?? []).flatMap((w) => [...w.contents.matchAll(/\(command:(qq2clone\.[\w.]+)/g)].map((x) => x[1]!));
    const inMenus = Object.values(m.menus ?? {}).flatMap((items) => items.map((i) => i.command ?? '').filter((c) => c.startsWith('qq2clone.')));
    const missing = [...new Set([...contributed, ...linked, ...inMenus])].filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('opens the qq2clone view and its tree reads the real daemon', async () => {
    const api = await activated();
    await vscode.commands.executeCommand('workbench.view.extension.qq2clone');
    await vscode.commands.executeCommand('qq2clone.templates.focus');
    await vscode.commands.executeCommand('qq2clone.refresh');
    const inv = api.tree.inventory;
    assert.ok(inv, 'the tree has an inventory after a refresh against qemu:///system');
    assert.ok(Array.isArray(inv.templates) && Array.isArray(inv.clones));
  });

  it('with no daemon behind the connection the tree is empty, for the welcome view that says what to do', async () => {
    const api = await activated();
    const welcome = (manifest().contributes.viewsWelcome ?? []).filter((w) => w.view === 'qq2clone.templates');
    for (const reason of ['not-installed', 'daemon-down', 'permission-denied', 'other']) {
      const w = welcome.find((x) => x.when === `qq2clone.unavailable == '${reason}'`);
      assert.ok(w, `a welcome view for ${reason}`);
      assert.match(w.contents, /\[Retry\]\(command:qq2clone\.refresh\)/, `${reason} offers Retry`);
      assert.match(w.contents, /\bthen retry\b/, `${reason} says what to do before retrying`);
    }
    await withSetting('connectionUri', NO_DAEMON_URI, async () => {
      await vscode.commands.executeCommand('qq2clone.refresh');
      assert.equal(api.tree.inventory, undefined, 'no inventory while the daemon cannot be reached');
      const u = api.tree.unavailable;
      assert.equal(u?.reason, 'daemon-down', `reason (message: ${u?.message})`);
      // What failed (the welcome view for the reason says what to do; the harness checks it on screen).
      assert.match(u.message, /nonexistent\/libvirt-sock|connect/i, 'the message says what failed');
    });
    // The setting is back: Retry reads the daemon again.
    await vscode.commands.executeCommand('qq2clone.refresh');
    assert.equal(api.tree.unavailable, undefined, 'Retry after fixing the connection clears the state');
    assert.ok(api.tree.inventory, 'Retry after fixing the connection brings the tree back');
  });

  it('the "No templates yet" welcome follows the first read after libvirt was unavailable', async () => {
    const api = await activated();
    const cfg = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('qq2clone');
    const set = (key: string, value: unknown): Thenable<void> => cfg().update(key, value, vscode.ConfigurationTarget.Global);
    const before = { uri: cfg().inspect('connectionUri')?.globalValue, dir: cfg().inspect('templateDirectory')?.globalValue };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qqt-welcome-'));
    const empty = path.join(root, 'empty');
    const one = path.join(root, 'one');
    fs.mkdirSync(empty);
    fs.mkdirSync(one);
    fs.writeFileSync(path.join(one, 'qqt-welcome.xml'), tinyDomainXml({ name: 'qqt-welcome', disk: path.join(root, 'disk.qcow2') }));
    // libvirt's test driver: a connection of its own, with no clones of anyone's on it.
    try {
      await set('templateDirectory', empty);
      await set('connectionUri', TEST_DRIVER_URI);
      await waitFor('no templates', () => (api.tree.inventory && !api.tree.unavailable && api.tree.noTemplates === true ? true : undefined));
      await set('connectionUri', NO_DAEMON_URI);
      await waitFor('libvirt unavailable', () => api.tree.unavailable);
      await set('templateDirectory', one);
      await set('connectionUri', TEST_DRIVER_URI);
      await waitFor('libvirt back', () => (api.tree.inventory && !api.tree.unavailable ? true : undefined));
      assert.deepEqual(api.tree.model.templates.map((t) => t.template.name), ['qqt-welcome']);
      assert.equal(api.tree.noTemplates, false, 'the first read after the outage updates the welcome condition');
    } finally {
      await set('connectionUri', before.uri);
      await set('templateDirectory', before.dir);
      fs.rmSync(root, { recursive: true, force: true });
      await vscode.commands.executeCommand('qq2clone.refresh');
    }
  });

  it('a broken template offers Edit XML and Delete in its context menu', () => {
    const items = manifest().contributes.menus?.['view/item/context'] ?? [];
    const offers = (command: string, contextValue: string): boolean =>
      items.some((i) => {
        if (i.command !== command) return false;
        const re = /viewItem\s*=~\s*\/(.+?)\/(?=\s|$)/.exec(i.when ?? '');
        const eq = /viewItem\s*==\s*'?([\w-]+)'?/.exec(i.when ?? '');
        return re ? new RegExp(re[1]!).test(contextValue) : eq?.[1] === contextValue;
      });
    assert.ok(offers('qq2clone.editTemplate', 'brokenTemplate'), 'Edit Template XML');
    assert.ok(offers('qq2clone.deleteTemplate', 'brokenTemplate'), 'Delete Template');
    assert.ok(offers('qq2clone.editTemplate', 'template') && !offers('qq2clone.editTemplate', 'runningClone'));
  });
});
