/**
 * Several hosts in one view: qemu:///system and the test bed's second host (the account qq2remote's session daemon,
 * reached from root as scripts/setup-second-host.sh sets it up: libvirt's libssh transport with the test bed's key
 * and known_hosts named in the URI, through the sshd on 127.0.0.1:2022 that is there for this test). The second
 * host's sshd is stopped with the connections it serves: its root says why while the first host works on, then,
 * with sshd started again, the root recovers. The sshd is started again whatever happens.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TreeApi } from '../../src/extension/tree';
import { CloneBed, figure } from './util/cloneBed';
import { TEST_URI } from '../testbed';
import { statusBarText } from '../../src/extension/status/statusBarText';

const CONF = '/etc/qq2clone-testbed';
const SSHD_CONF = `${CONF}/sshd_config_test`;
const SSHD_PID = '/run/qq2clone-testbed-sshd-test.pid';
const SECOND = `qemu+libssh://qq2remote@127.0.0.1:2022/session?sshauth=privkey&keyfile=${CONF}/root-ed25519&known_hosts=${CONF}/known_hosts`;

/** Why this test bed cannot run the test, or undefined. */
function absent(): string | undefined {
  if (process.getuid?.() !== 0) return 'runs as root (the test bed gives root its own key for the second host)';
  for (const f of [SSHD_CONF, `${CONF}/root-ed25519`, `${CONF}/known_hosts`]) if (!fs.existsSync(f)) return `${f} is missing: run scripts/setup-second-host.sh as root`;
  return undefined;
}

const sshdPid = (): number | undefined => {
  const pid = Number(fs.readFileSync(SSHD_PID, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
};

/** The test bed's sshd on port 2022 runs (started here if it does not). */
function startSshd(): void {
  if (fs.existsSync(SSHD_PID) && sshdPid() !== undefined) return;
  execFileSync('/usr/sbin/sshd', ['-f', SSHD_CONF], { stdio: 'ignore' });
}

/** Stops that sshd and the connections it serves (its children, by their ids): the second host is gone. */
function stopSshd(): number[] {
  const pid = sshdPid();
  assert.ok(pid, `the test bed's sshd (${SSHD_PID}) does not run`);
  const children = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return /^PPid:\s*(\d+)$/m.exec(fs.readFileSync(path.join('/proc', d, 'status'), 'utf8'))?.[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
  process.kill(pid, 'SIGTERM');
  for (const c of children) process.kill(c, 'SIGTERM');
  return children;
}

describe('several hosts', function () {
  this.timeout(300_000);
  let b: CloneBed;
  const second = (): TreeApi | undefined => b.api.tree.forHost(SECOND);

  before(async function () {
    const why = absent();
    if (why) this.skip();
    startSshd();
    b = await CloneBed.open('hosts');
    const dir = path.join(b.bed.root, 'second-templates');
    fs.mkdirSync(dir, { recursive: true });
    // A template file of the second host that cannot be read: listed there with its problem, a node of that host.
    fs.writeFileSync(path.join(dir, 'unreadable.xml'), 'not a domain\n');
    await b.set('connections', [{ uri: SECOND, label: 'second host', templateDirectory: dir, storage: 'default' }]);
    await vscode.commands.executeCommand('workbench.view.extension.qq2clone');
  });
  after(async () => {
    startSshd();
    await b?.close();
  });

  it('shows one root per host, each with its own templates and clones', async () => {
    await b.waitTree('the second host read', () => (second()?.inventory ? true : undefined), 120_000);
    const [first, other] = b.api.tree.hosts;
    assert.equal(b.api.tree.hosts.length, 2);
    assert.equal(first!.uri, TEST_URI);
    assert.equal(other!.label, 'second host');
    const root = b.api.tree.treeItem(other!.root);
    assert.equal(root.label, 'second host');
    assert.equal(root.contextValue, 'host');
    assert.match(String(root.description), /^\d+ running · \d+ clones?$/);
    assert.equal(b.api.tree.treeItem(first!.root).contextValue, 'host');
    // The status bar counts per host.
    await b.waitTree('the status bar with both hosts', () => (/ · second host: \d+ running$/.test(b.api.statusBar.text) ? true : undefined));
    assert.ok(b.api.statusBar.text.includes(`${TEST_URI}: `), b.api.statusBar.text);
    // The bed's template is the first host's; the second host's template directory is empty.
    assert.ok(first!.model.templates.some((t) => t.template.name === b.template.name));
    assert.ok(!other!.model.templates.some((t) => t.template.name === b.template.name));
    assert.ok(other!.model.templates.some((t) => t.template.name === 'unreadable'));
    // A node says which host it is of: the first host's carry none, the second's its URI.
    assert.equal(b.api.tree.forNode(b.templateNode()!).uri, TEST_URI);
  });

  it('runs a command on the host it names, and from the palette on the host picked', async () => {
    await b.waitTree('the second host read', () => (second()?.inventory ? true : undefined), 120_000);
    const from = b.notices.length;
    // The bed's template is the first host's only: on the second host the service does not know it.
    const made = await vscode.commands.executeCommand('qq2clone.clone', { host: SECOND, template: b.template.name, count: 1 });
    assert.equal((made as unknown[] | undefined)?.length ?? 0, 0);
    assert.match(b.noticesText(from), new RegExp(`${b.template.name}.*(does not exist|not found)`, 's'));
    assert.equal(b.clones().length, 0, 'nothing was made on the first host');
    // From the palette: which host?
    const asked: string[][] = [];
    b.api.prompts.quickPick = ((items: readonly vscode.QuickPickItem[]) => {
      asked.push(items.map((i) => i.label));
      return Promise.resolve(items.find((i) => i.label === 'second host'));
    }) as typeof b.api.prompts.quickPick;
    const counted: string[] = [];
    b.api.prompts.inputBox = (o) => {
      counted.push(o.title ?? '');
      return Promise.resolve(undefined); // cancelled: nothing is made
    };
    await vscode.commands.executeCommand('qq2clone.clone');
    assert.deepEqual(asked, [[TEST_URI, 'second host']]);
    // The second host's only template is taken (the first host's is not there), then "how many?" is cancelled.
    assert.deepEqual(counted, ['Clone unreadable']);
  });

  it('refuses a selection of items of two hosts, saying so', async () => {
    const theirs = await b.waitTree("the second host's template", () => second()?.model.templates.find((t) => t.template.name === 'unreadable'));
    assert.equal(theirs.host, SECOND);
    assert.equal(b.api.tree.treeItem(theirs).contextValue, 'brokenTemplate');
    const mine = b.templateNode()!;
    const at = b.notices.length;
    await vscode.commands.executeCommand('qq2clone.start', mine, [mine, theirs]);
    assert.match(b.noticesText(at), /belong to more than one host.*Nothing was done/);
  });

  it('says why on the root of a host that stopped while the other works on (Retry too), and recovers by itself', async () => {
    await b.waitTree('the second host read', () => (second()?.inventory ? true : undefined), 120_000);
    try {
      const killed = stopSshd();
      figure(`hosts: stopped the second host's sshd and ${killed.length} connection(s)`);
      const why = await b.waitTree(
        "the second host's root saying why",
        () => {
          const item = b.api.tree.treeItem(second()!.root);
          return item.contextValue === 'unreachableHost' ? String(item.description) : undefined;
        },
        120_000,
      );
      figure(`hosts: the root says: ${why}`);
      assert.match(why, /^unavailable: /);
      assert.match(why, /127\.0\.0\.1:2022/, 'the reason names the host');
      // What to do: check that host (no daemon to start on this machine).
      assert.match(why, /SSH server and its libvirt daemon/);
      assert.doesNotMatch(why, /systemctl start libvirtd/);
      await b.waitTree('the status bar saying so', () => (b.api.statusBar.text.endsWith('second host: unavailable') ? true : undefined));
      const icon = b.api.tree.treeItem(second()!.root).iconPath as vscode.ThemeIcon;
      assert.equal(icon.id, 'error');
      // The first host works on: a read succeeds and its template is there.
      await b.api.tree.hosts[0]!.refresh();
      assert.equal(b.api.tree.hosts[0]!.unavailable, undefined);
      assert.ok(b.templateNode());
      // Retry while still stopped: the root stays unreachable, nothing breaks.
      await vscode.commands.executeCommand('qq2clone.retryHost', second()!.root);
      assert.equal(b.api.tree.treeItem(second()!.root).contextValue, 'unreachableHost');
    } finally {
      startSshd();
    }
    // Back by itself: its event stream retries until the host answers, and the tree reads it again.
    await b.waitTree('the second host back', () => (b.api.tree.treeItem(second()!.root).contextValue === 'host' ? true : undefined), 120_000);
    assert.ok(second()!.inventory);
    assert.match(String(b.api.tree.treeItem(second()!.root).description), /^\d+ running · \d+ clones?$/);
  });

  it('follows the setting: a new label keeps the host and its reads, and one host again shows its templates at the top', async () => {
    const before = second()!;
    assert.ok(before.inventory);
    const dir = path.join(b.bed.root, 'second-templates');
    await b.set('connections', [{ uri: SECOND, label: 'renamed host', templateDirectory: dir, storage: 'default' }]);
    await b.waitTree('the new label', () => (b.api.tree.treeItem(second()!.root).label === 'renamed host' ? true : undefined));
    assert.equal(second(), before, 'the same host tree (its service and event stream kept)');
    assert.ok(second()!.inventory);
    await b.set('connections', []);
    await b.waitTree('one host again', () => (b.api.tree.hosts.length === 1 ? true : undefined));
    assert.equal(second(), undefined);
    const oneHost = (): string => statusBarText(TEST_URI, b.api.tree.hosts[0]!.model.templates.flatMap((t) => t.clones.map((c) => c.clone))).text;
    await b.waitTree('the status bar of one host', () => (b.api.statusBar.text === oneHost() ? true : undefined));
    assert.ok(b.templateNode(), "the first host's template is still shown");
  });
});
