/**
 * Open Console in the extension host (code-server, Chromium) on a real clone of the test guest with a VNC display
 * on 127.0.0.1: the tab's canvas shows the guest's 720x400 text screen like `virsh screenshot` (not blank); the
 * text typed into the tab (key events of the page's noVNC) reaches the guest's shell on tty1 (read back through the agent); Ctrl+Alt+Del from
 * the toolbar reboots the guest (agent uptime resets); stopping the guest shows in the tab and starting it again
 * reconnects; closing the tab closes the connection; nothing new listens on a non-loopback address. Then, on the same
 * guest: Connect in this browser window opens the console tab; the toolbar's Type Clipboard, Ctrl+Alt+F2/F1 (the
 * guest's active virtual terminal, read through the agent), Reconnect, and 1:1 against fit (the canvas's shown size).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConnectOutcome } from '../../src/extension/commands/terminal/connectWindow';
import { CONSOLE_RETRY_MS, type ConsoleTab } from '../../src/extension/panel/consoleTab';
import { ppmToPng } from '../../src/libvirt/display/png';
import { guestExec, waitForGuest } from '../guest';
import { bootAll } from '../guest/bootAll';
import { virsh } from '../testbed';
import { greyOf, likeness, screenshotGrey, type Likeness } from '../vnc/grey';
import { CloneBed, figure } from './util/cloneBed';
import { waitFor } from './util/extension';
import { guestTemplate } from './util/guestTemplate';

const activeVt = async (dom: string): Promise<string> => (await guestExec(dom, ['cat', '/sys/class/tty/tty0/active'])).stdout.trim();
const uptime = async (dom: string): Promise<number> => Number((await guestExec(dom, ['cat', '/proc/uptime'])).stdout.split(' ')[0]);
const listeners = (): string[] =>
  execFileSync('ss', ['-ltnH'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[3])
    .filter((a): a is string => !!a);
/** Established TCP connections to 127.0.0.1:port. */
const connectionsTo = (port: number): number =>
  execFileSync('ss', ['-tnH', 'state', 'established', 'dst', `127.0.0.1:${port}`], { encoding: 'utf8' }).split('\n').filter((l) => l.trim()).length;

/** Writes the canvas as a PNG under out/screenshots/ (through PPM, which the product's encoder takes). */
function savePicture(file: string, width: number, height: number, rgba: Uint8Array): void {
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) rgba.subarray(i * 4, i * 4 + 3).forEach((v, j) => (rgb[i * 3 + j] = v));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, ppmToPng(Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1'), rgb])));
}

describe('console tab on a real guest (noVNC over the relay)', function () {
  this.timeout(900_000);
  let b: CloneBed;
  let name: string;
  let tab: ConsoleTab;
  let listening: string[];
  const run = <T>(command: string, ...args: unknown[]): Thenable<T> => vscode.commands.executeCommand<T>(command, ...args);
  const port = (): number => Number(/<graphics type='vnc' port='(\d+)'/.exec(virsh('dumpxml', name))?.[1]);

  /** The canvas and a screenshot taken right after, compared; a few tries for a cursor blink or a line printed. */
  async function canvasLikeScreen(): Promise<{ l: Likeness; width: number; height: number; rgba: Uint8Array }> {
    let last: { l: Likeness; width: number; height: number; rgba: Uint8Array } | undefined;
    for (let i = 0; i < 5; i++) {
      const pic = await tab.picture();
      const shot = path.join(b.bed.root, 'shot');
      virsh('screenshot', name, shot);
      const l = likeness(greyOf(pic.width, pic.height, pic.rgba, 'rgba'), screenshotGrey(fs.readFileSync(shot)));
      last = { l, ...pic };
      if (l.differentBlocks < 0.02) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    return last!;
  }

  before(async () => {
    listening = listeners();
    b = await CloneBed.open('xconsole', (bed, dir) => guestTemplate(bed, dir, 'g', { vnc: true }));
    await b.set('runAfterClone', true);
    await b.makeClones(1);
    name = b.cloneNode(1).clone.name;
    await bootAll([name]);
    await run('qq2clone.refresh');
  });
  after(async () => {
    tab?.panel.dispose();
    await b?.close();
  });

  it('Open Console shows the guest screen: canvas 720x400 like virsh screenshot, not blank', async () => {
    const tabs = await run<ConsoleTab[]>('qq2clone.openGraphicalConsole', b.cloneNode(1));
    assert.equal(tabs?.length, 1);
    tab = tabs[0]!;
    await waitFor('the console connected', () => (tab.state === 'connected' ? true : undefined), 120_000).catch((e: Error) => {
      throw new Error(`${e.message}; state ${tab.state} (${tab.reason}); relayed ${JSON.stringify(tab.traffic)}; page errors: ${tab.pageErrors.join(' | ') || 'none'}`);
    });
    assert.deepEqual(tab.size, { width: 720, height: 400 });
    // The first full update may take a moment to be drawn.
    await waitFor('a picture on the canvas', async () => ((await canvasLikeScreen()).l.inkedBlocks > 0.005 ? true : undefined), 60_000);
    const { l, width, height, rgba } = await canvasLikeScreen();
    figure(`console canvas vs virsh screenshot: mean block difference ${l.meanDiff.toFixed(2)}, blocks differing ${(l.differentBlocks * 100).toFixed(1)} %, inked blocks ${(l.inkedBlocks * 100).toFixed(1)} %`);
    savePicture(path.join(vscode.extensions.getExtension('qq2clone.qq2clone-vscode')!.extensionPath, 'out/screenshots/console-canvas.png'), width, height, rgba);
    assert.deepEqual([width, height], [720, 400]);
    assert.ok(l.inkedBlocks > 0.005, `not blank: ${JSON.stringify(l)}`);
    assert.ok(l.differentBlocks < 0.05 && l.meanDiff < 4, `canvas like the screenshot: ${JSON.stringify(l)}`);
  });

  it('text typed into the tab reaches the shell on tty1; the guest runs it', async () => {
    tab.panel.reveal();
    tab.type('echo qq$((6*7)) > /tmp/typed\n');
    const typed = await waitFor('/tmp/typed in the guest', async () => {
      const r = await guestExec(name, ['cat', '/tmp/typed']);
      return r.exitCode === 0 && r.stdout ? r.stdout : undefined;
    }, 60_000);
    assert.equal(typed, 'qq42\n');
  });

  it('Ctrl+Alt+Del from the toolbar reboots the guest (agent uptime resets)', async () => {
    const before = await uptime(name);
    assert.equal(await run<boolean>('qq2clone.consoleSendKeys', 'ctrl-alt-del'), true);
    const after = await waitFor('the guest rebooted', async () => {
      const u = await uptime(name).catch(() => undefined);
      return u !== undefined && u < before ? u : undefined;
    }, 300_000);
    assert.ok(after < before, `uptime ${before} then ${after}`);
    await waitForGuest(name);
  });

  it('stopping the guest shows in the tab; starting it again reconnects', async () => {
    virsh('destroy', name);
    await waitFor('the tab says stopped', () => (tab.state === 'stopped' ? true : undefined), 60_000);
    assert.match(tab.reason, /connection ended|not running|no address/i);
    const stoppedAt = Date.now();
    virsh('start', name);
    await waitFor('the tab reconnected', () => (tab.state === 'connected' ? true : undefined), 120_000);
    assert.deepEqual(tab.size && [tab.size.width > 0, tab.size.height > 0], [true, true]);
    await waitForGuest(name);
    // Reconnected on the Started event: the retry planned when the connection ended must not open another one over it.
    const connections = tab.connections;
    const retryDue = stoppedAt + CONSOLE_RETRY_MS + 2000 - Date.now();
    if (retryDue > 0) await new Promise((r) => setTimeout(r, retryDue));
    assert.equal(tab.connections, connections, 'the connection made on Started was replaced by a planned retry');
    assert.equal(tab.state, 'connected');
  });

  it('nothing new listens on a non-loopback address; closing the tab closes the connection', async () => {
    const added = listeners().filter((a) => !listening.includes(a));
    assert.deepEqual(added.filter((a) => !/^(127\.\d+\.\d+\.\d+|\[::1\]):\d+$/.test(a)), [], `new listeners: ${added.join(' ')}`);
    const p = port();
    assert.equal(connectionsTo(p), 1, 'the tab holds one connection to the display');
    tab.panel.dispose();
    await waitFor('the connection closed', () => (connectionsTo(p) === 0 ? true : undefined), 30_000);
    assert.equal(tab.state, 'closed');
  });

  it('Connect in a browser window opens the console tab of a clone with a VNC display', async () => {
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web, 'code-server serves this window to a browser');
    await b.set('viewerInRemoteWindow', false);
    const from = b.notices.length;
    const node = b.cloneNode(1);
    const report = await run<ConnectOutcome | undefined>('qq2clone.connect', node, [node]);
    assert.equal(report?.consoles?.length, 1, b.noticesText(from));
    tab = report.consoles[0]!;
    assert.equal(tab.target.uuid, node.clone.uuid);
    await waitFor('the console connected', () => (tab.state === 'connected' ? true : undefined), 120_000);
    assert.equal(connectionsTo(port()), 1);
    assert.ok(!b.notices.slice(from).some((n) => n.actions.includes('Show Screen')), `no Show Screen offered: ${b.noticesText(from)}`);
  });

  it('Type Clipboard types the clipboard text into the guest', async () => {
    await vscode.env.clipboard.writeText('echo cb$((5*5)) > /tmp/clip\n');
    assert.equal(await run<boolean>('qq2clone.consoleTypeClipboard'), true);
    const typed = await waitFor('/tmp/clip in the guest', async () => {
      const r = await guestExec(name, ['cat', '/tmp/clip']);
      return r.exitCode === 0 && r.stdout ? r.stdout : undefined;
    }, 60_000);
    assert.equal(typed, 'cb25\n');
  });

  it('Ctrl+Alt+F2 and Ctrl+Alt+F1 from the toolbar switch the guest\'s virtual terminal', async () => {
    assert.equal(await activeVt(name), 'tty1');
    // The kernel switches only to a virtual terminal in use; the guest has a shell on tty1 alone: tty2 is opened first.
    assert.equal((await guestExec(name, ['sh', '-c', 'echo this is tty2 > /dev/tty2'])).exitCode, 0);
    assert.equal(await run<boolean>('qq2clone.consoleSendKeys', 'ctrl-alt-f2'), true);
    await waitFor('tty2 in front', async () => ((await activeVt(name)) === 'tty2' ? true : undefined), 60_000);
    assert.equal(await run<boolean>('qq2clone.consoleSendKeys', 'ctrl-alt-f1'), true);
    await waitFor('tty1 in front again', async () => ((await activeVt(name)) === 'tty1' ? true : undefined), 60_000);
  });

  it('Reconnect replaces the connection with a new one that shows the screen', async () => {
    const p = port();
    const before = tab.connections;
    assert.equal(await run<boolean>('qq2clone.consoleReconnect'), true);
    await waitFor('connected again', () => (tab.connections === before + 1 && tab.state === 'connected' ? true : undefined), 120_000);
    await waitFor('one connection to the display', () => (connectionsTo(p) === 1 ? true : undefined), 30_000);
    await waitFor('a picture on the canvas', async () => ((await canvasLikeScreen()).l.inkedBlocks > 0.005 ? true : undefined), 60_000);
    const { l } = await canvasLikeScreen();
    assert.ok(l.differentBlocks < 0.05 && l.meanDiff < 4, `canvas like the screenshot: ${JSON.stringify(l)}`);
  });

  it('two connection attempts at once (a start brings a Resumed and a Started event) leave one working connection', async () => {
    const p = port();
    const before = tab.connections;
    tab.reconnect();
    tab.reconnect();
    await waitFor('connected again', () => (tab.connections >= before + 2 && tab.state === 'connected' ? true : undefined), 90_000).catch((e: Error) => {
      throw new Error(`${e.message}; state ${tab.state} (${tab.reason}); connections ${tab.connections - before}; page errors: ${tab.pageErrors.join(' | ') || 'none'}`);
    });
    // The page speaks to the second connection alone: with the first one's bytes mixed in, its handshake breaks and a retry follows.
    assert.equal(tab.connections, before + 2, 'the second attempt connected without a retry');
    await waitFor('one connection to the display', () => (connectionsTo(p) === 1 ? true : undefined), 30_000);
    await waitFor('a picture on the canvas', async () => ((await canvasLikeScreen()).l.inkedBlocks > 0.005 ? true : undefined), 60_000);
  });

  it('1:1 shows the canvas at the guest\'s size; fit scales it to the tab', async () => {
    tab.scale(false);
    const one = await tab.picture();
    assert.deepEqual(one.shown, { width: 720, height: 400 }, `room ${JSON.stringify(one.room)}`);
    tab.scale(true);
    const fit = await tab.picture();
    figure(`console fit: room ${fit.room.width}x${fit.room.height}, canvas shown at ${fit.shown.width}x${fit.shown.height}`);
    // The screen fills the room in one direction and keeps its 720:400 shape.
    const fills = Math.abs(fit.shown.width - fit.room.width) <= 1 || Math.abs(fit.shown.height - fit.room.height) <= 1;
    assert.ok(fills && fit.shown.width <= fit.room.width + 1 && fit.shown.height <= fit.room.height + 1, JSON.stringify(fit));
    assert.ok(Math.abs(fit.shown.width / fit.shown.height - 720 / 400) < 0.02, JSON.stringify(fit.shown));
    assert.notDeepEqual(fit.shown, one.shown, 'the tab is not exactly 720x400');
    assert.equal(tab.scaled, true);
  });
});

describe('console tab of a clone with SPICE graphics only', function () {
  this.timeout(300_000);
  let b: CloneBed;
  const spice = "<graphics type='spice' autoport='yes' listen='127.0.0.1'/><video><model type='qxl'/></video>\n";

  before(async () => {
    b = await CloneBed.open('xconspice', (bed, dir) => bed.makeTemplateFile(dir, 'tpl', spice));
    await b.set('runAfterClone', true);
    await b.makeClones(1);
    await vscode.commands.executeCommand('qq2clone.refresh');
  });
  after(async () => b?.close());

  it('opens no tab, says why and offers Connect (the SPICE viewer path)', async () => {
    const tabs = await vscode.commands.executeCommand<ConsoleTab[]>('qq2clone.openGraphicalConsole', b.cloneNode(1));
    assert.deepEqual(tabs, []);
    const notice = b.notices.find((n) => /Open Console/.test(n.message));
    assert.ok(notice, `a notice: ${JSON.stringify(b.notices)}`);
    assert.match(notice.message, /graphics are spice, not VNC: add a VNC display on 127\.0\.0\.1/);
    assert.deepEqual(notice.actions, ['Connect with a SPICE Viewer']);
  });
});
