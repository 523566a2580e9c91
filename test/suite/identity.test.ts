/**
 * Clone identity in the extension host, on the real test guest: Clone Identity... on a template (questions
 * answered) shows in its tooltip, the Clone command then gives the new clone its own hostname and host key (in its
 * metadata, pinned in the known-hosts file), and Give New Identity on that clone (off) gives it another.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { toolHome } from '../../src/core/home';
import { identityOf } from '../../src/libvirt/domain';
import { virsh } from '../testbed';
import { CloneBed } from './util/cloneBed';
import { guestTemplate } from './util/guestTemplate';

/** What a clone's identity metadata says was written (libvirt re-serializes the element: read it, not its text). */
function applied(name: string): { hostname: string; machineId: string; fingerprint: string } | undefined {
  const a = identityOf(virsh('dumpxml', '--inactive', name)).applied;
  return a && a.keys[0] ? { hostname: a.hostname, machineId: a.machineId, fingerprint: a.keys[0].fingerprint } : undefined;
}

describe('clone identity', function () {
  this.timeout(600_000);
  let b: CloneBed;
  before(async () => {
    b = await CloneBed.open('identity', (bed, dir) => guestTemplate(bed, dir, 'tpl'));
  });
  after(async () => b?.close());

  it('Clone Identity on a template shows in its tooltip; its new clones get their own hostname and host key', async () => {
    assert.match(await b.api.tree.tooltip(b.templateNode()!), /- Clone identity: off/);
    const saved = { ...b.api.prompts };
    b.api.prompts.quickPick = (items) => Promise.resolve(items.find((i) => i.label === 'On' || i.label === 'No key'));
    b.api.prompts.inputBox = () => Promise.resolve('vm{number}');
    try {
      assert.equal(await vscode.commands.executeCommand('qq2clone.cloneIdentity', b.templateNode(), [b.templateNode()]), true);
    } finally {
      Object.assign(b.api.prompts, { quickPick: saved.quickPick, inputBox: saved.inputBox });
    }
    await vscode.commands.executeCommand('qq2clone.refresh');
    await b.waitTree('the tooltip', async () => ((await b.api.tree.tooltip(b.templateNode()!)).includes('hostname `vm{number}`') ? true : undefined));
    const [c] = await b.makeClones(1);
    const a = applied(c!.clone.name);
    assert.equal(a?.hostname, 'vm1');
    const kh = fs.readFileSync(path.join(toolHome(), 'ssh', 'known_hosts'), 'utf8');
    assert.match(kh, new RegExp(`^${c!.clone.uuid} ssh-ed25519 `, 'm'));
  });

  it('Give New Identity on a clone that is off writes another one', async () => {
    const before = applied(b.cloneNode(1).clone.name)!;
    await vscode.commands.executeCommand('qq2clone.newIdentity', b.cloneNode(1), [b.cloneNode(1)]);
    const after = applied(b.cloneNode(1).clone.name)!;
    assert.equal(after.hostname, 'vm1');
    assert.notEqual(after.machineId, before.machineId);
    assert.notEqual(after.fingerprint, before.fingerprint);
  });
});
