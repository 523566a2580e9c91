/**
 * The terminal commands on real clones: exec (tree selection, SET with the command asked and remembered, failing
 * clone, a renamed clone with a space and quotes), exec in parallel, the serial console and the screen tab.
 * What each run saw is written to files (a terminal's text is not readable through the API).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExecReport } from '../../src/extension/terminal/exec';
import type { ScreenShot } from '../../src/extension/terminal/screen';
import type { CloneNode, TemplateNode } from '../../src/extension/tree/model';
import { virsh } from '../testbed';
import { CloneBed } from './util/cloneBed';
import { waitFor } from './util/extension';

const VNC = `    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>\n    <video><model type='vga'/></video>\n`;
const RECORD = `printf '%s' "$uuid" > "$OUT/$uuid.uuid"; printf '%s' "$name" > "$OUT/$uuid.name"; printf '%s' "$disks" > "$OUT/$uuid.disks"; printf '%s\\n' "$uuid" >> "$OUT/order"`;

/** The disk sources of a domain as libvirt has them. */
function domainDisks(uuid: string): string[] {
  return virsh('domblklist', uuid, '--details')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === 'disk' && f[3] && f[3] !== '-')
    .map((f) => f.slice(3).join(' '));
}

describe('terminal commands on real clones', function () {
  this.timeout(240_000);
  let b: CloneBed;
  let out: string;
  let gfx: { name: string };
  const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(command, ...args);
  const cmd = (c: string) => `OUT='${out}'; ${c}`;
  const gfxNode = (): TemplateNode | undefined => b.api.tree.model.templates.find((t) => t.template.name === gfx.name);

  before(async () => {
    b = await CloneBed.open('term');
    out = path.join(b.bed.root, 'out');
    gfx = b.bed.makeTemplateFile(b.templateDir, 'gfx', VNC);
    await b.makeClones(3);
    await run('qq2clone.clone', { template: gfx.name, count: 1 });
    await run('qq2clone.refresh');
    await waitFor('the graphics clone', () => (gfxNode()?.clones.length ? true : undefined));
  });
  beforeEach(() => {
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out);
  });
  after(async () => {
    for (const t of vscode.window.terminals) if (t.name.startsWith('qq2clone:') || t.name.startsWith('console:')) t.dispose();
    await b?.close();
  });

  const read = (f: string) => fs.readFileSync(path.join(out, f), 'utf8');
  const nodes = (...ids: number[]): CloneNode[] => ids.map((id) => b.cloneNode(id));

  it('exec on a tree selection runs once per clone in number order with uuid, name and disks', async () => {
    const sel = nodes(3, 1, 2); // selection order is not run order
    const reports = await run<ExecReport[]>('qq2clone.exec', sel[0], sel, { command: cmd(RECORD) });
    assert.equal(reports?.length, 1);
    assert.deepEqual(reports[0]!.summary, { ran: 3, total: 3, status: 0 });
    const clones = nodes(1, 2, 3).map((n) => n.clone);
    assert.equal(read('order'), clones.map((c) => `${c.uuid}\n`).join(''));
    for (const c of clones) {
      assert.equal(read(`${c.uuid}.uuid`), c.uuid);
      assert.equal(read(`${c.uuid}.name`), c.name);
      const disks = domainDisks(c.uuid);
      assert.ok(disks.length > 0);
      assert.equal(read(`${c.uuid}.disks`), disks.join('\n'));
    }
    assert.match(b.noticesText(), /exec: 3 of 3 clones, every run exited 0/);
  });

  it('exec from the palette asks the command with recent ones offered and keeps the history', async () => {
    const { quickPick, inputBox } = b.api.prompts;
    const offered: string[] = [];
    let prefilled: string | undefined;
    const previous = cmd(RECORD);
    b.api.prompts.quickPick = (async (items: readonly vscode.QuickPickItem[]) => {
      offered.push(...items.map((i) => i.label));
      return items.find((i) => i.label === previous);
    }) as typeof quickPick;
    b.api.prompts.inputBox = (o) => {
      if (o.title?.includes('which clones')) return Promise.resolve('2');
      prefilled = o.value;
      return Promise.resolve(`${o.value ?? ''}; echo again >> "$OUT/again"`);
    };
    try {
      const reports = await run<ExecReport[]>('qq2clone.exec');
      assert.deepEqual(reports?.[0]?.summary, { ran: 1, total: 1, status: 0 });
    } finally {
      Object.assign(b.api.prompts, { quickPick, inputBox });
    }
    assert.ok(offered.includes(previous), `the last command is offered: ${offered.join(' | ')}`);
    assert.equal(prefilled, previous);
    assert.equal(read('again'), 'again\n');
    assert.equal(read('order'), `${b.cloneNode(2).clone.uuid}\n`);
  });

  it('exec stops at a failing middle clone and says which one and its status', async () => {
    const from = b.notices.length;
    const failing = `echo "$uuid" >> "$OUT/ran"; [ "$uuid" != '${b.cloneNode(2).clone.uuid}' ] || exit 3`;
    const reports = await run<ExecReport[]>('qq2clone.exec', { set: '1-3' }, undefined, { command: cmd(failing) });
    assert.deepEqual(reports?.[0]?.summary, { ran: 2, total: 3, status: 3 });
    assert.equal(reports[0]!.failed?.uuid, b.cloneNode(2).clone.uuid);
    assert.equal(read('ran'), `${b.cloneNode(1).clone.uuid}\n${b.cloneNode(2).clone.uuid}\n`);
    assert.match(b.noticesText(from), new RegExp(`error: exec: clone 2 \\(.*\\) exited with status 3; 1 of 3 succeeded, 1 not run`));
  });

  it('a clone renamed to a name with a space and quotes gets it as data', async () => {
    const c = b.cloneNode(3).clone;
    const nasty = `${b.bed.prefix} it's "three" $HOME`;
    virsh('domrename', c.uuid, nasty);
    await run('qq2clone.refresh');
    await waitFor('the renamed clone', () => (b.clones().some((n) => n.clone.name === nasty) ? true : undefined));
    const node = b.clones().find((n) => n.clone.name === nasty)!;
    const reports = await run<ExecReport[]>('qq2clone.exec', node, [node], { command: cmd(RECORD) });
    assert.equal(reports?.[0]?.summary?.status, 0);
    assert.equal(read(`${c.uuid}.name`), nasty);
  });

  it('exec in parallel opens one terminal per clone, named after it', async () => {
    const sel = nodes(1, 2);
    const reports = await run<ExecReport[]>('qq2clone.execParallel', sel[0], sel, { command: cmd(RECORD) });
    assert.equal(reports?.length, 2);
    assert.deepEqual(
      reports.map((r) => r.terminal.name),
      sel.map((n) => `qq2clone: ${n.clone.name}`),
    );
    for (const r of reports) assert.deepEqual(r.summary, { ran: 1, total: 1, status: 0 });
    for (const n of sel) assert.equal(read(`${n.clone.uuid}.uuid`), n.clone.uuid);
  });

  it('the serial console connects to a running clone in a terminal', async () => {
    await run('qq2clone.start', undefined, nodes(1));
    const terminal = await run<vscode.Terminal>('qq2clone.openConsole', b.cloneNode(1));
    assert.equal(terminal?.name, `console: ${b.cloneNode(1).clone.name}`);
    assert.ok(await terminal.processId);
    // virsh console exits at once when it cannot attach; attached, it stays.
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(terminal.exitStatus, undefined);
    terminal.dispose();
  });

  it('Show Screen opens a real picture of a running clone in a tab, and Refresh takes a new one', async () => {
    const node = gfxNode()!.clones[0]!;
    await run('qq2clone.start', node, [node]);
    await run('qq2clone.refresh');
    const shot = await run<ScreenShot>('qq2clone.showScreen', gfxNode()!.clones[0]);
    assert.ok(shot, b.noticesText());
    const data = fs.readFileSync(shot.file);
    assert.deepEqual([...data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(data.readUInt32BE(16), shot.info.width);
    assert.ok(shot.info.width >= 320 && shot.info.height >= 200, JSON.stringify(shot.info));
    // The tab model follows the panel asynchronously.
    const tab = await waitFor('the screen tab', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('qq2clone.screen')),
    10_000);
    assert.equal(tab.label, `Screen: ${node.clone.name}`);
    const again = await run<ScreenShot>('qq2clone.refreshScreen', node.clone.uuid);
    assert.ok(again && again.takenAt.getTime() > shot.takenAt.getTime());
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Show Screen on a running clone without graphics says why', async () => {
    if (virsh('domstate', b.cloneNode(1).clone.uuid).trim() !== 'running') await run('qq2clone.start', undefined, nodes(1));
    await run('qq2clone.refresh');
    const from = b.notices.length;
    const shot = await run<ScreenShot>('qq2clone.showScreen', b.cloneNode(1));
    assert.equal(shot, undefined);
    assert.match(b.noticesText(from), /error: Show screen of .*no screens.*graphics device/);
  });
});
