/**
 * connect on real clones: stopped clones are started, and a viewer is started for each clone with SPICE graphics.
 * The viewers are stub scripts placed first on PATH that record their arguments (a real viewer needs a display);
 * the real virt-viewer of this machine is used once to check that a viewer that cannot run is reported.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConnectReport } from '../../src/extension/ui/connectText';
import type { CloneNode } from '../../src/extension/tree/model';
import { TEST_URI, virsh } from '../testbed';
import { CloneBed, virshState } from './util/cloneBed';
import { waitFor } from './util/extension';

const SPICE = `    <graphics type='spice' autoport='yes' listen='127.0.0.1'/>\n    <video><model type='qxl'/></video>\n`;

describe('connect', function () {
  this.timeout(240_000);
  let b: CloneBed;
  let spice: { name: string };
  let bin: string;
  let calls: string;
  const savedPath = process.env.PATH;
  const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(command, ...args);
  const spiceClones = (): CloneNode[] =>
    b.api.tree.model.templates.find((t) => t.template.name === spice.name)?.clones.filter((c) => !c.clone.staging) ?? [];

  /** The argument lists the stub viewers were started with, by program. */
  function recorded(): { program: string; args: string[] }[] {
    if (!fs.existsSync(calls)) return [];
    return fs
      .readdirSync(calls)
      .sort()
      .map((f) => {
        const [program, ...args] = fs.readFileSync(path.join(calls, f), 'utf8').split('\0').slice(0, -1);
        return { program: program!, args };
      });
  }

  before(async () => {
    b = await CloneBed.open('conn');
    // These tests check the viewers themselves: start them even though code-server serves this window to a browser.
    await b.set('viewerInRemoteWindow', true);
    spice = b.bed.makeTemplateFile(b.templateDir, 'spice', SPICE);
    bin = path.join(b.bed.root, 'bin');
    calls = path.join(b.bed.root, 'calls');
    fs.mkdirSync(bin);
    for (const viewer of ['virt-viewer', 'spicy']) {
      fs.writeFileSync(
        path.join(bin, viewer),
        `#!/bin/bash\nprintf '%s\\0' "${viewer}" "$@" > "${calls}/$(date +%s%N).$$"\n`,
        { mode: 0o755 },
      );
    }
    await b.makeClones(1);
    await run('qq2clone.clone', { template: spice.name, count: 2 });
    await run('qq2clone.refresh');
    await waitFor('the SPICE clones', () => (spiceClones().length === 2 ? true : undefined));
  });
  beforeEach(() => {
    fs.rmSync(calls, { recursive: true, force: true });
    fs.mkdirSync(calls);
    process.env.PATH = `${bin}:${savedPath}`;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
  });
  after(async () => {
    process.env.PATH = savedPath;
    await b?.close();
  });

  it('starts the stopped clones and opens virt-viewer with the connection URI for each SPICE clone', async () => {
    const sel = [...spiceClones(), b.cloneNode(1)];
    assert.deepEqual(sel.map((n) => virshState(n.clone.name)), ['shut off', 'shut off', 'shut off']);
    const report = await run<ConnectReport>('qq2clone.connect', sel[0], sel);
    assert.ok(report, b.noticesText());
    assert.deepEqual(sel.map((n) => virshState(n.clone.name)), ['running', 'running', 'running']);
    assert.equal(report.started?.done.length, 3);
    const expected = spiceClones().map((n) => ({ program: 'virt-viewer', args: ['--connect', TEST_URI, '--uuid', n.clone.uuid] }));
    const sortByUuid = (x: { args: string[] }[]) => [...x].sort((p, q) => p.args.at(-1)!.localeCompare(q.args.at(-1)!));
    assert.deepEqual(sortByUuid(recorded()), sortByUuid(expected));
    assert.deepEqual(report.notConnected.map((n) => [n.clone.uuid, n.reason]), [[b.cloneNode(1).clone.uuid, 'it has no graphics device']]);
    assert.match(b.noticesText(), /Connect: started 3, opened virt-viewer for 2\. Not connected: .*it has no graphics device/);
  });

  it('in a browser window, starts the clones and offers Show Screen and the serial console instead of a viewer', async () => {
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web, 'code-server serves this window to a browser');
    await run('qq2clone.destroy', undefined, spiceClones());
    await run('qq2clone.refresh');
    await b.set('viewerInRemoteWindow', false);
    const from = b.notices.length;
    const notify = b.api.prompts.notify;
    // The user clicks Show Screen on the notice.
    b.api.prompts.notify = (severity, message, ...actions) => (notify(severity, message, ...actions), Promise.resolve(actions.includes('Show Screen') ? 'Show Screen' : undefined));
    let report: ConnectReport | undefined;
    const node = spiceClones()[0]!;
    try {
      report = await run<ConnectReport>('qq2clone.connect', node, [node]);
    } finally {
      b.api.prompts.notify = notify;
      await b.set('viewerInRemoteWindow', true);
    }
    assert.equal(report?.started?.done.length, 1);
    assert.equal(virshState(node.clone.name), 'running');
    assert.deepEqual(recorded(), [], 'no viewer was started');
    const notice = b.notices.slice(from).find((n) => /this window runs in a browser/.test(n.message));
    assert.ok(notice, b.noticesText(from));
    assert.match(notice.message, /a SPICE viewer would open on the machine the extension runs on, where you would not see it/);
    assert.deepEqual(notice.actions, ['Show Screen', 'Open Serial Console']);
    await waitFor('the screen of the clone in an editor tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.label.includes(node.clone.name))
        ? true
        : undefined,
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('with the spicy setting, spicy gets the host and port of the running display', async () => {
    await b.set('viewer', 'spicy');
    const node = spiceClones()[0]!;
    const report = await run<ConnectReport>('qq2clone.connect', node, [node]);
    await b.set('viewer', 'virt-viewer');
    assert.equal(report?.started, undefined, 'already running: nothing to start');
    const port = /<graphics type='spice' port='(\d+)'/.exec(virsh('dumpxml', node.clone.uuid))?.[1];
    assert.ok(port);
    assert.deepEqual(recorded(), [{ program: 'spicy', args: ['--host', '127.0.0.1', '--port', port] }]);
  });

  it('with useSpice off, connect only starts the clones', async () => {
    await run('qq2clone.destroy', undefined, spiceClones());
    await run('qq2clone.refresh');
    await b.set('useSpice', 'off');
    try {
      const report = await run<ConnectReport>('qq2clone.connect', undefined, spiceClones());
      assert.equal(report?.started?.done.length, 2);
      assert.equal(report.spice, false);
    } finally {
      await b.set('useSpice', 'auto');
    }
    assert.deepEqual(spiceClones().map((n) => virshState(n.clone.name)), ['running', 'running']);
    assert.deepEqual(recorded(), []);
  });

  it('says so when neither virt-viewer nor spicy is installed', async () => {
    const bare = path.join(b.bed.root, 'bare-bin');
    fs.mkdirSync(bare, { recursive: true });
    for (const p of ['virsh', 'bash', 'qemu-img']) {
      const target = savedPath!.split(':').map((d) => path.join(d, p)).find((f) => fs.existsSync(f));
      if (target && !fs.existsSync(path.join(bare, p))) fs.symlinkSync(target, path.join(bare, p));
    }
    process.env.PATH = bare;
    const node = spiceClones()[0]!;
    // "auto" (the default, as the manual's USE_SPICE): no viewer installed means no SPICE connections.
    const auto = await run<ConnectReport>('qq2clone.connect', node, [node]);
    assert.equal(auto?.spice, false);
    assert.deepEqual(auto.notConnected, []);
    // "on": tries, and says what is missing.
    await b.set('useSpice', 'on');
    const from = b.notices.length;
    let report: ConnectReport | undefined;
    try {
      report = await run<ConnectReport>('qq2clone.connect', node, [node]);
    } finally {
      await b.set('useSpice', 'auto');
    }
    assert.equal(report?.spice, true);
    assert.equal(report.viewer, undefined);
    assert.deepEqual(report.notConnected.map((n) => n.reason), ['neither virt-viewer nor spicy is installed: install virt-viewer, or turn off qq2clone.useSpice']);
    assert.match(b.noticesText(from), /Not connected: .*neither virt-viewer nor spicy is installed/);
    assert.deepEqual(recorded(), []);
  });

  it('a viewer that cannot run (the real virt-viewer with no display) is reported with its message', async () => {
    process.env.PATH = savedPath;
    const onPath = (savedPath ?? '').split(':').some((d) => d && fs.existsSync(path.join(d, 'virt-viewer')));
    assert.ok(onPath, 'virt-viewer is not installed: scripts/setup-testbed.sh installs it for this test');
    const node = spiceClones()[0]!;
    const from = b.notices.length;
    const env = { DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY };
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    try {
      const report = await run<ConnectReport>('qq2clone.connect', node, [node]);
      assert.equal(report?.connected.length, 0);
      assert.match(report.notConnected[0]!.reason, /virt-viewer failed/);
      assert.match(b.noticesText(from), /Not connected: .*virt-viewer failed/);
    } finally {
      Object.assign(process.env, Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)));
    }
  });
});
