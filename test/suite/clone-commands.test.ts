/**
 * Every clone command against the real daemon, on tree multi-selections (nodes passed as the view passes them)
 * and on SETs ({ template, set } arguments and the palette's input box answered by the test), with unfit items
 * skipped and said so, one modal confirmation for destructive ones, and libvirt's own view checked with virsh.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CloneNode, TemplateNode } from '../../src/extension/tree/model';
import { CONNECTIONS_FILE } from '../../src/libvirt/storage';
import { domainExists, tinyDomainXml, tryVirsh, virsh } from '../testbed';

/** The files a domain's disks use (its overlays), from libvirt. */
const sourcesOf = (uuid: string): string[] => [...virsh('dumpxml', uuid).matchAll(/<source file='([^']+)'/g)].map((m) => m[1]!);
import { CloneBed, figure, virshState } from './util/cloneBed';
import { waitFor } from './util/extension';

describe('clone commands', function () {
  this.timeout(240_000);
  let b: CloneBed;
  before(async () => {
    b = await CloneBed.open('cmds');
  });
  after(async () => b?.close());

  const run = (command: string, ...args: unknown[]): Thenable<unknown> => vscode.commands.executeCommand(command, ...args);
  const nodes = (...ids: number[]): CloneNode[] => ids.map((id) => b.cloneNode(id));
  const states = (...ids: number[]): string[] => ids.map((id) => virshState(b.cloneNode(id).clone.name));
  const settle = async (): Promise<void> => {
    await run('qq2clone.refresh');
  };
  /** A domain's disk files as libvirt has them (before it is removed). */
  const diskFiles = (name: string): string[] =>
    virsh('domblklist', '--details', name)
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1] === 'disk' && f[3] && f[3] !== '-')
      .map((f) => f[3]!);

  it('clone makes the number asked for, not started while runAfterClone is off', async () => {
    const made = await b.makeClones(6);
    assert.deepEqual(
      made.map((c) => c.clone.id),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(states(1, 2, 3, 4, 5, 6), Array(6).fill('shut off'));
  });

  it('start on a multi-selection skips the template and says so', async () => {
    const from = b.notices.length;
    await run('qq2clone.start', b.cloneNode(1), [b.templateNode()!, ...nodes(1, 2, 3, 4)]);
    assert.deepEqual(states(1, 2, 3, 4, 5), ['running', 'running', 'running', 'running', 'shut off']);
    assert.match(b.noticesText(from), /skipped template .*: not a clone/);
  });

  it('suspend via a SET; suspend on clones that are off skips them and says so', async () => {
    await run('qq2clone.suspend', { set: '1-2' });
    assert.deepEqual(states(1, 2, 3), ['paused', 'paused', 'running']);
    const from = b.notices.length;
    await settle();
    await run('qq2clone.suspend', undefined, nodes(5, 6));
    assert.match(b.noticesText(from), /nothing to do; skipped clone 5 .*it is off; clone 6 .*it is off/);
  });

  it('resume on a selection resumes the paused ones and skips the running one', async () => {
    await settle();
    const from = b.notices.length;
    await run('qq2clone.resume', undefined, nodes(1, 2, 3));
    assert.deepEqual(states(1, 2, 3), ['running', 'running', 'running']);
    assert.match(b.noticesText(from), /skipped clone 3 .*it is running/);
  });

  it('select by SET: a SET, then the clones it names, then what to do with them', async () => {
    await settle();
    const saved = { ...b.api.prompts };
    const offered: string[] = [];
    b.api.prompts.inputBox = () => Promise.resolve('all,^off');
    b.api.prompts.quickPickMany = (items) => Promise.resolve(items.filter((i) => /^clone [12] /.test(i.label)));
    b.api.prompts.quickPick = (items) => {
      offered.push(...items.map((i) => i.label));
      return Promise.resolve(items.find((i) => i.label === 'Suspend'));
    };
    try {
      await run('qq2clone.selectBySet');
    } finally {
      Object.assign(b.api.prompts, { inputBox: saved.inputBox, quickPick: saved.quickPick, quickPickMany: saved.quickPickMany });
    }
    assert.ok(offered.includes('Suspend') && !offered.includes('Resume'), `offered: ${offered.join(', ')}`);
    assert.deepEqual(states(1, 2, 3), ['paused', 'paused', 'running']);
    await run('qq2clone.resume', { set: '1-2' });
    assert.deepEqual(states(1, 2), ['running', 'running']);
  });

  it('save via a SET, then save-rm on a selection, then start restores a saved one', async () => {
    await settle();
    await run('qq2clone.save', { set: '3-4' });
    assert.deepEqual(states(3, 4), ['shut off', 'shut off']);
    await settle();
    assert.equal(b.cloneNode(3).clone.state, 'saved');
    await run('qq2clone.saveRm', undefined, nodes(3));
    await settle();
    assert.equal(b.cloneNode(3).clone.state, 'off');
    assert.equal(b.cloneNode(4).clone.state, 'saved');
    await run('qq2clone.start', { set: 'saved' });
    assert.deepEqual(states(4), ['running']);
  });

  it('destroy asks once, naming how many and which, then forces them off', async () => {
    await settle();
    const asked = b.confirms.length;
    await run('qq2clone.destroy', undefined, nodes(1, 4));
    assert.equal(b.confirms.length, asked + 1);
    assert.match(b.confirms[asked]!, /^Destroy 2 clones\?/);
    assert.match(b.confirms[asked]!, new RegExp(`clone 1 \\(${b.cloneNode(1).clone.name}\\)`));
    assert.deepEqual(states(1, 4), ['shut off', 'shut off']);
  });

  it('a declined confirmation changes nothing', async () => {
    await settle();
    const confirm = b.api.prompts.confirm;
    const asked: string[] = [];
    b.api.prompts.confirm = (message, detail) => {
      asked.push(`${message}\n${detail}`);
      return Promise.resolve(false);
    };
    const five = b.cloneNode(5).clone;
    const disks = sourcesOf(five.uuid);
    try {
      await run('qq2clone.rm', undefined, nodes(5));
    } finally {
      b.api.prompts.confirm = confirm;
    }
    assert.equal(asked.length, 1, 'the confirmation was asked once');
    assert.match(asked[0]!, new RegExp(`^Delete 1 clone\\?[\\s\\S]*clone 5 \\(${five.name}\\)`));
    assert.equal(states(5)[0], 'shut off');
    assert.ok(disks.length > 0 && disks.every((d) => fs.existsSync(d)), `its disks are still there: ${disks.join(', ')}`);
  });

  it('rm via a SET, rm-wipe on a selection, rm-shred via the palette input box', async () => {
    await settle();
    const gone = (id: number): string => b.cloneNode(id).clone.name;
    const n1 = gone(1);
    const n2 = gone(2);
    const n3 = gone(3);
    await run('qq2clone.rm', { set: '1' });
    await run('qq2clone.rmWipe', undefined, nodes(2));
    // The palette: default template from the setting, the SET typed into the input box (validated as typed).
    const inputBox = b.api.prompts.inputBox;
    const seen: string[] = [];
    b.api.prompts.inputBox = async (o) => {
      const bad = await o.validateInput?.('3,,4');
      seen.push(typeof bad === 'object' && bad ? bad.message : String(bad));
      return '3';
    };
    try {
      await run('qq2clone.rmShred');
    } finally {
      b.api.prompts.inputBox = inputBox;
    }
    assert.match(seen[0] ?? '', /column 3/);
    for (const n of [n1, n2, n3]) assert.equal(tryVirsh('domstate', n), undefined, `${n} is gone`);
    await settle();
    assert.deepEqual(
      b.clones().map((c) => c.clone.id),
      [4, 5, 6],
    );
  });

  it('save on a selection; save-rm, destroy and rm-wipe via a SET; rm-shred on a selection', async () => {
    await settle();
    await run('qq2clone.start', { set: '4-6' });
    assert.deepEqual(states(4, 5, 6), ['running', 'running', 'running']);
    await settle();
    await run('qq2clone.save', undefined, nodes(4, 5));
    const managedSave = (id: number): boolean => /Managed save:\s+yes/.test(virsh('dominfo', b.cloneNode(id).clone.name));
    assert.deepEqual(states(4, 5, 6), ['shut off', 'shut off', 'running']);
    assert.deepEqual([4, 5, 6].map(managedSave), [true, true, false]);
    await run('qq2clone.saveRm', { set: '4' });
    assert.deepEqual([4, 5].map(managedSave), [false, true]);
    const asked = b.confirms.length;
    await run('qq2clone.destroy', { set: '6' });
    assert.match(b.confirms[asked] ?? '', /^Destroy 1 clone\?/);
    assert.deepEqual(states(6), ['shut off']);
    const gone = [5, 6].map((id) => ({ name: b.cloneNode(id).clone.name, disks: diskFiles(b.cloneNode(id).clone.name) }));
    await run('qq2clone.rmWipe', { set: '5' });
    await settle();
    await run('qq2clone.rmShred', b.cloneNode(6), nodes(6));
    for (const g of gone) {
      assert.equal(tryVirsh('domstate', g.name), undefined, `${g.name} is gone`);
      assert.ok(g.disks.length > 0);
      for (const d of g.disks) assert.equal(fs.existsSync(d), false, `${d} is gone`);
    }
    await settle();
    assert.deepEqual(
      b.clones().map((c) => c.clone.id),
      [4],
    );
  });

  it('cancel in the middle of a 20-clone batch leaves only whole clones', async () => {
    const before = b.clones().length;
    const progress = b.api.prompts.progress;
    let cancelledAt = -1;
    b.api.prompts.progress = (_title, _total, work) => {
      const abort = new AbortController();
      return work(abort.signal, (done) => {
        if (done >= 5 && !abort.signal.aborted) {
          cancelledAt = done;
          abort.abort();
        }
      });
    };
    const from = b.notices.length;
    try {
      await run('qq2clone.clone', { template: b.template.name, count: 20 });
    } finally {
      b.api.prompts.progress = progress;
    }
    await settle();
    const made = b.clones().length - before;
    figure(`cancelled after ${cancelledAt} done; ${made} of 20 clones exist`);
    assert.ok(cancelledAt >= 5, 'the batch reported progress');
    assert.ok(made >= cancelledAt && made < 20, `${made} clones made`);
    // The notice counts exactly the clones that exist, and the rest as cancelled.
    assert.match(b.noticesText(from), new RegExp(`^warning: Clone: made ${made} of 20; ${20 - made} cancelled\\.$`));
    // Whole: every clone's disks exist; nothing in storage belongs to no clone.
    const disks = new Set<string>();
    for (const c of b.clones()) {
      for (const d of await b.api.tree.tooltip(c).then((t) => [...t.matchAll(/Disk: `([^`]+)`/g)].map((m) => m[1]!))) {
        disks.add(d);
      }
    }
    // The storage's record of the connections that use it (check reads them all before deleting) is no overlay.
    const files = fs.readdirSync(b.storage).filter((f) => f !== CONNECTIONS_FILE).map((f) => path.join(b.storage, f));
    const orphans = files.filter((f) => !disks.has(f) && !f.endsWith('.save'));
    assert.deepEqual(orphans, [], 'no half-made overlay left in storage');
    for (const d of disks) assert.ok(fs.existsSync(d), `${d} exists`);
  });

  it('cancel in the middle of deleting a batch leaves each clone whole or wholly gone', async () => {
    await settle();
    const all = b.clones();
    const disks = new Map(all.map((c) => [c.clone.uuid, sourcesOf(c.clone.uuid)]));
    assert.ok([...disks.values()].every((d) => d.length > 0 && d.every((f) => fs.existsSync(f))), 'each clone has its overlay');
    const progress = b.api.prompts.progress;
    b.api.prompts.progress = (_title, _total, work) => {
      const abort = new AbortController();
      return work(abort.signal, (done) => {
        if (done >= 3) abort.abort();
      });
    };
    try {
      await run('qq2clone.rm', undefined, all);
    } finally {
      b.api.prompts.progress = progress;
    }
    await settle();
    const left = b.clones();
    figure(`${all.length - left.length} of ${all.length} deleted before the cancel took effect`);
    assert.ok(left.length > 0 && left.length < all.length, `${left.length} left`);
    const kept = new Set(left.map((c) => c.clone.uuid));
    for (const c of all) {
      const files = disks.get(c.clone.uuid)!;
      if (kept.has(c.clone.uuid)) {
        assert.ok(tryVirsh('domstate', c.clone.uuid), `${c.clone.name} still defined`);
        for (const f of files) assert.ok(fs.existsSync(f), `${c.clone.name} kept ${f}`);
      } else {
        assert.equal(domainExists(c.clone.uuid), false, `${c.clone.name} undefined`);
        for (const f of files) assert.ok(!fs.existsSync(f), `${c.clone.name} deleted, and its ${f} with it`);
      }
    }
    await waitFor('tree to settle', () => (b.api.tree.busy.size === 0 ? true : undefined));
  });

  it('clone on a selection of two templates asks how many; a clone that fails is named with libvirt\'s message, the rest still run', async () => {
    const ta = b.bed.makeTemplateFile(b.templateDir, 'ta');
    const tb = b.bed.makeTemplateFile(b.templateDir, 'tb');
    const node = (name: string): TemplateNode | undefined => b.api.tree.model.templates.find((t) => t.template.name === name);
    await settle();
    await b.waitTree('the two new templates', () => (node(ta.name) && node(tb.name) ? true : undefined));
    // Once ta's first clone is done, a domain outside the tool takes the name its clone 6 is about to get (4 are
    // made at a time, so clone 6 has not begun): that define fails for real, in libvirt.
    const clash = `${ta.name}-6`;
    const clashXml = path.join(b.bed.root, 'clash.xml');
    fs.writeFileSync(clashXml, tinyDomainXml({ name: clash, disk: b.bed.makeDisk('clash.qcow2') }));
    const saved = { inputBox: b.api.prompts.inputBox, progress: b.api.prompts.progress };
    const asked: string[] = [];
    b.api.prompts.inputBox = (o) => {
      asked.push(`${o.title}: ${o.prompt}`);
      return Promise.resolve('6');
    };
    let clashed = false;
    b.api.prompts.progress = (_title, _total, work) =>
      work(new AbortController().signal, (done) => {
        if (done >= 1 && !clashed) {
          clashed = true;
          virsh('define', clashXml);
        }
      });
    const other = b.clones()[0]!;
    const from = b.notices.length;
    try {
      await run('qq2clone.clone', node(ta.name), [node(ta.name), node(tb.name), other]);
    } finally {
      Object.assign(b.api.prompts, saved);
    }
    assert.deepEqual(asked, [`Clone ${ta.name}, ${tb.name}: How many clones?`]);
    const notice = b.noticesText(from);
    figure(`clone with one failure says: ${notice}`);
    const clashUuid = virsh('domuuid', clash).trim();
    assert.match(
      notice,
      new RegExp(`^error: Clone: made 11 of 12; 1 failed \\(clone 6 \\(${clash}\\) of ${ta.name}: [^;]*operation failed: domain '${clash}' already exists with uuid ${clashUuid}\\); skipped clone ${other.clone.id} \\(${other.clone.name}\\): not a template\\.$`),
    );
    await settle();
    assert.deepEqual(node(ta.name)?.clones.map((c) => c.clone.id), [1, 2, 3, 4, 5]);
    assert.deepEqual(node(tb.name)?.clones.map((c) => c.clone.id), [1, 2, 3, 4, 5, 6]);
    for (const c of [...node(ta.name)!.clones, ...node(tb.name)!.clones]) assert.equal(virshState(c.clone.name), 'shut off');
    assert.equal(fs.existsSync(path.join(b.storage, `${clash}-vda.qcow2`)), false, 'no overlay of the failed clone');
    assert.equal(tryVirsh('domstate', clash)?.trim(), 'shut off', 'the domain outside the tool is untouched');
  });
});
