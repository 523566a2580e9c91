/**
 * Power-off policies against the real daemon, without restarting it: the CLI sets policies (template default,
 * per clone, running clones included) and lists them; the installed hook (in a temporary hooks directory, the
 * running daemon does not use it) is run as libvirt runs it at a stop (same argv, the domain's XML on stdin) and its
 * real worker resets, removes or keeps real clones; the extension's event-driven enforcer does the same from
 * lifecycle events without the hook. A domain that is not ours is never touched.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLibvirtService, type Libvirt } from '../../src/libvirt';
import { HOOK_FILE_NAME, type PolicyLogEntry } from '../../src/libvirt/policy';
import { metaElement } from '../../src/libvirt/domain';
import { PolicyEnforcer } from '../../src/extension/policy/enforcer';
import { TestBed, TEST_URI, tinyDomainXml, virsh, domainExists } from '../testbed';
import { PolicyBed } from './policyBed';
import { reads, write } from './templateHelpers';

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return ['(absent)'];
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

describe('power-off policies on real clones (hook run directly, and the extension without it)', function () {
  this.timeout(300_000);
  let pb: PolicyBed;
  let bed: TestBed;
  let home: string;
  let hooksDir: string;
  let stateDir: string;
  let tpl: { name: string; xmlPath: string; disk: string };
  let tplSum: string;

  const q = (...args: string[]) => pb.q(...args);
  const ok = (...args: string[]): string => pb.ok(...args);
  const cloneName = (id: number) => `${tpl.name}-${id}`;
  const uuidOf = (name: string) => virsh('domuuid', name).trim();
  const overlayOf = (name: string): string => {
    const m = /<source file='([^']+)'/.exec(virsh('dumpxml', '--inactive', name));
    return m![1]!;
  };
  async function entryFor(uuid: string, after: number, ms = 60_000): Promise<PolicyLogEntry | undefined> {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      const e = pb.hookEntries().filter((x) => x.uuid === uuid && Date.parse(x.time) >= after);
      if (e.length) return e[e.length - 1];
    }
    return undefined;
  }
  /** Stops a running domain the way libvirt does it for the hook: destroy, then the hook's stop calls with its XML. */
  function destroyAndRunHook(name: string, o: { restart?: boolean } = {}): number {
    const liveXml = virsh('dumpxml', name);
    virsh('destroy', name);
    if (o.restart) virsh('start', name);
    const t = Date.now();
    pb.runHookAtStop(name, liveXml);
    return t - 1000;
  }

  /**
   * A domain defined by hand that carries our bookkeeping: `storage` as given, its overlays a root-only file
   * (mode 0600, not a disk of the domain) and its real disk, policy remove on destroyed. Nothing of it may go.
   */
  function forgedDomain(short: string, storage: string, mac: string): { name: string; victim: string; disk: string } {
    const name = `${bed.prefix}-${short}`;
    const victim = path.join(bed.root, `${short}-root-only`);
    fs.writeFileSync(victim, 'root only', { mode: 0o600 });
    const disk = bed.makeDisk(`${short}.qcow2`);
    const meta = metaElement({ template: tpl.name, id: 90, storage, overlays: [victim, disk], policy: { action: 'remove', on: ['destroyed'] } }, '', '');
    const xml = tinyDomainXml({ name, disk, mac }).replace('</name>', `</name>\n  <metadata>${meta}</metadata>`);
    const file = path.join(bed.root, `${short}.xml`);
    fs.writeFileSync(file, xml);
    virsh('define', file);
    return { name, victim, disk };
  }

  before(async () => {
    pb = await PolicyBed.make('policy');
    bed = pb.bed;
    home = bed.root;
    hooksDir = pb.hooksDir;
    stateDir = pb.stateDir;
    tpl = bed.makeTemplateFile(path.join(home, 'templates'), 'tpl');
    tplSum = sha256(tpl.disk);
  });
  after(() => bed?.cleanup());

  it('CLI: the template default is inherited by new clones; policy SET sets (running clones too) and shows; list xml shows them', () => {
    ok('modify-template', tpl.name, 'policy', 'reset');
    ok('-n', '-t', tpl.name, 'clone', '4');
    ok('-t', tpl.name, 'policy', '2', 'remove');
    ok('-t', tpl.name, 'policy', '3', 'remove', '--on', 'shutdown');
    ok('-t', tpl.name, 'start', '4');
    ok('-t', tpl.name, 'policy', '4', 'remove', '--on', 'shutdown,crashed');
    // Set on the running clone 4: in its running definition (what the hook gets) and its persistent one.
    assert.match(virsh('dumpxml', cloneName(4)), /<q2c:policy action="remove" on="shutdown,crashed"\/>/);
    assert.match(virsh('dumpxml', '--inactive', cloneName(4)), /<q2c:policy action="remove" on="shutdown,crashed"\/>/);
    virsh('destroy', cloneName(4));
    const xml = ok('list', 'xml');
    assert.match(xml, new RegExp(`<template name="${tpl.name}" default-policy="reset" default-on="shutdown,destroyed">`));
    assert.match(xml, /<clone id="1" [^>]* policy="reset" on="shutdown,destroyed"\/>/);
    assert.match(xml, /<clone id="2" [^>]* policy="remove" on="shutdown,destroyed"\/>/);
    assert.match(xml, /<clone id="3" [^>]* policy="remove" on="shutdown"\/>/);
    const shown = ok('-t', tpl.name, 'policy', '1-3');
    assert.match(shown, /^1 +\S+-1 +reset on shutdown,destroyed +\(off\)$/m);
    assert.match(shown, /^3 +\S+-3 +remove on shutdown +\(off\)$/m);
    ok('-t', tpl.name, 'policy', '4', 'keep');
    assert.doesNotMatch(virsh('dumpxml', '--inactive', cloneName(4)), /q2c:policy/);
    assert.equal(q('-t', tpl.name, 'policy', '1', 'reset', '--on', 'saved').code, 12);
    assert.equal(q('-t', tpl.name, 'policy', '1', 'explode').code, 12);
  });

  it('hook install into a temporary hooks directory: status says the running daemon does not use it yet', () => {
    const out = ok('hook', 'install');
    assert.match(out, /started before it and does not use it: restart libvirt/);
    assert.equal(fs.statSync(path.join(hooksDir, 'qemu.d', HOOK_FILE_NAME)).mode & 0o777, 0o755);
    assert.match(ok('hook', 'status'), /does not use it/);
  });

  it('hook at release: a reset clone is made afresh (the written data gone, the template image unchanged), and stays', async () => {
    const name = cloneName(1);
    const overlay = overlayOf(name);
    write(overlay, 0xab, '1M');
    assert.equal(reads(overlay, 0xab, '1M'), true);
    virsh('start', name);
    const after = destroyAndRunHook(name);
    const e = await entryFor(uuidOf(name), after);
    assert.equal(e?.action, 'reset', JSON.stringify(e));
    assert.equal(e?.reason, 'destroyed', 'asked of libvirt (the hook got "-")');
    assert.equal(e?.by, 'hook');
    assert.equal(reads(overlay, 0xab, '1M'), false, 'the data the clone wrote is gone');
    assert.equal(sha256(tpl.disk), tplSum);
    assert.equal(virsh('domstate', name).trim(), 'shut off');
    virsh('start', name);
    virsh('destroy', name);
  });

  it('hook at release: remove (default reasons) removes a destroyed clone with its overlay; remove --on shutdown keeps it', async () => {
    const gone = cloneName(2);
    const goneOverlay = overlayOf(gone);
    const goneUuid = uuidOf(gone);
    virsh('start', gone);
    const e = await entryFor(goneUuid, destroyAndRunHook(gone));
    assert.equal(e?.action, 'removed', JSON.stringify(e));
    assert.equal(domainExists(goneUuid), false, 'the domain is gone');
    assert.equal(fs.existsSync(goneOverlay), false, 'its overlay is gone');
    const kept = cloneName(3);
    virsh('start', kept);
    const k = await entryFor(uuidOf(kept), destroyAndRunHook(kept));
    assert.equal(k?.action, 'kept');
    assert.match(k?.detail ?? '', /destroyed is not one of shutdown/);
    assert.ok(fs.existsSync(overlayOf(kept)));
    assert.equal(sha256(tpl.disk), tplSum);
  });

  it('hook at release: the worker waits while another process holds the clone\'s lock, and resets once it is released', async () => {
    const name = cloneName(1);
    const uuid = uuidOf(name);
    const overlay = overlayOf(name);
    write(overlay, 0xab, '1M');
    virsh('start', name);
    // Another user of the connection (its own home) holds the clone's lock, as rm, edit or a disk browse would.
    const other = createLibvirtService({ uri: TEST_URI, home: path.join(bed.root, 'other-home') });
    let release!: () => void;
    let holding!: () => void;
    const got = new Promise<void>((r) => (holding = r));
    const held = other.withCloneLock(uuid, () => new Promise<void>((r) => {
      release = r;
      holding();
    }));
    let after = 0;
    try {
      await got;
      after = destroyAndRunHook(name);
      // The worker has taken the stop once it removed its queue file; then it gets 10 s in which it must not act.
      for (const end = Date.now() + 30_000; fs.readdirSync(path.join(stateDir, 'queue')).length && Date.now() < end; ) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(fs.readdirSync(path.join(stateDir, 'queue')), [], 'the worker took the stop');
      assert.equal(await entryFor(uuid, after, 10_000), undefined, 'nothing done while the lock is held');
      assert.equal(reads(overlay, 0xab, '1M'), true, 'the overlay is untouched while the lock is held');
    } finally {
      release?.();
      await held;
      other.dispose();
    }
    // This stop's entry (an earlier test's entry for the same clone is older than `after`).
    const e = await entryFor(uuid, after);
    assert.equal(e?.action, 'reset', JSON.stringify(e));
    assert.equal(reads(overlay, 0xab, '1M'), false, 'reset once the lock was released');
  });

  it('hook at release: a clone started again before the worker looked is left alone', async () => {
    const name = cloneName(1);
    virsh('start', name);
    const e = await entryFor(uuidOf(name), destroyAndRunHook(name, { restart: true }));
    assert.equal(e?.action, 'kept');
    assert.equal(e?.detail, 'running again');
    assert.match(virsh('domstate', name), /running/);
    virsh('destroy', name);
  });

  it('hook at release of a domain that is not ours: nothing happens to it', async () => {
    const name = `${bed.prefix}-foreign`;
    const disk = bed.makeDisk('foreign.qcow2');
    write(disk, 0xcd, '1M');
    const file = path.join(bed.root, 'foreign.xml');
    fs.writeFileSync(file, tinyDomainXml({ name, disk, mac: '52:54:00:aa:bb:7e' }));
    virsh('define', file);
    const sum = sha256(disk);
    virsh('start', name);
    const uuid = uuidOf(name);
    const e = await entryFor(uuid, destroyAndRunHook(name), 3000);
    assert.equal(e, undefined);
    assert.equal(sha256(disk), sum);
    assert.equal(virsh('domstate', name).trim(), 'shut off');
    assert.deepEqual(fs.readdirSync(path.join(stateDir, 'queue')), []);
  });

  it('hook at release of a hand-made domain claiming storage="/" with a root-only file as overlay: nothing deleted, the log says why', async () => {
    const f = forgedDomain('forged-hook', '/', '52:54:00:aa:bb:7d');
    const uuid = uuidOf(f.name);
    virsh('start', f.name);
    const e = await entryFor(uuid, destroyAndRunHook(f.name));
    assert.equal(fs.existsSync(f.victim) && fs.readFileSync(f.victim, 'utf8'), 'root only', `the root-only file is still there (${JSON.stringify(e)})`);
    assert.ok(fs.existsSync(f.disk), 'its disk is still there');
    assert.equal(e?.action, 'refused', JSON.stringify(e));
    assert.match(e?.detail ?? '', new RegExp(`${f.victim} is not a disk of the domain`));
    assert.equal(virsh('domstate', uuid).trim(), 'shut off', 'the domain is still defined');
  });

  it('hook log and uninstall: the log lists what was done; uninstall leaves the hooks directory as found', () => {
    const log = ok('hook', 'log');
    assert.match(log, new RegExp(`${tpl.name} 1 \\(${tpl.name}-1\\)  destroyed  reset on shutdown,destroyed  reset`));
    assert.match(log, new RegExp(`${tpl.name} 2 \\(${tpl.name}-2\\)  destroyed  remove on shutdown,destroyed  removed`));
    ok('hook', 'uninstall');
    assert.deepEqual(tree(hooksDir), ['(absent)']);
    assert.deepEqual(fs.readdirSync(stateDir), ['actions.log']);
    assert.match(ok('hook', 'status'), /not installed: power-off policies only apply while VS Code/);
  });

  describe('without the hook: the extension applies policies from lifecycle events', () => {
    let svc: Libvirt;
    let enforcer: PolicyEnforcer;
    const seen: PolicyLogEntry[] = [];
    before(() => {
      svc = createLibvirtService({ uri: TEST_URI, home, templateDir: path.join(home, 'templates') });
      enforcer = new PolicyEnforcer(svc, { logFile: path.join(home, 'policy-actions.log'), hookActive: () => false, onAction: (e) => seen.push(e) });
    });
    after(() => {
      enforcer?.dispose();
      svc?.dispose();
    });
    async function waitSeen(uuid: string, ms = 60_000): Promise<PolicyLogEntry | undefined> {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
        const e = seen.find((x) => x.uuid === uuid);
        if (e) return e;
      }
      return undefined;
    }
    /** Starts a domain and waits until the event stream has reported it (so the stream is live). */
    async function startSeen(name: string): Promise<void> {
      let started = false;
      let probed = false;
      const sub = svc.onEvent((e) => {
        if (e.domain === name && e.event === 'Started') started = true;
        if (e.domain === name && e.event === 'metadata-change') probed = true;
      });
      // The stream is live once it reports a change made now (a description set and cleared): then the start is seen.
      for (let i = 0, end = Date.now() + 60_000; !probed && Date.now() < end; i++) {
        virsh('desc', name, '--config', '--new-desc', `probe ${i}`);
        for (const until = Date.now() + 2000; !probed && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
      }
      virsh('desc', name, '--config', '--new-desc', '');
      assert.ok(probed, 'the event stream is live');
      virsh('start', name);
      for (const end = Date.now() + 30_000; !started && Date.now() < end; ) await new Promise((r) => setTimeout(r, 100));
      sub.dispose();
      assert.ok(started, 'the event stream reported the start');
    }

    it('reset on destroy: made afresh; remove on destroy: gone with its overlay; remove --on shutdown: kept', async () => {
      const made = [...ok('-n', '-t', tpl.name, 'clone', '2').matchAll(/Created clone \d+ \(([^)]+)\)/g)].map((m) => m[1]!);
      const [resetName, removeName] = made;
      assert.ok(resetName && removeName, made.join(','));
      ok('-t', tpl.name, 'policy', removeName!.slice(tpl.name.length + 1), 'remove');
      const overlay = overlayOf(resetName!);
      write(overlay, 0xab, '1M');
      await startSeen(resetName!);
      virsh('destroy', resetName!);
      const r = await waitSeen(uuidOf(resetName!));
      assert.equal(r?.action, 'reset', JSON.stringify(r));
      assert.equal(r?.by, 'extension');
      assert.equal(reads(overlay, 0xab, '1M'), false);
      const removeUuid = uuidOf(removeName!);
      const removeOverlay = overlayOf(removeName!);
      await startSeen(removeName!);
      virsh('destroy', removeName!);
      assert.equal((await waitSeen(removeUuid))?.action, 'removed');
      assert.equal(domainExists(removeUuid), false);
      assert.equal(fs.existsSync(removeOverlay), false);
      const kept = cloneName(3);
      await startSeen(kept);
      virsh('destroy', kept);
      assert.equal((await waitSeen(uuidOf(kept)))?.action, 'kept');
      assert.ok(fs.existsSync(overlayOf(kept)));
      assert.equal(sha256(tpl.disk), tplSum);
      await enforcer.idle();
    });

    it('a hand-made domain claiming a storage outside the configured one, with a root-only file as overlay: nothing deleted, the log says why', async () => {
      const f = forgedDomain('forged-ext', bed.root, '52:54:00:aa:bb:7c');
      const uuid = uuidOf(f.name);
      await startSeen(f.name);
      virsh('destroy', f.name);
      const e = await waitSeen(uuid);
      await enforcer.idle();
      assert.equal(fs.existsSync(f.victim) && fs.readFileSync(f.victim, 'utf8'), 'root only', `the root-only file is still there (${JSON.stringify(e)})`);
      assert.ok(fs.existsSync(f.disk), 'its disk is still there');
      assert.equal(e?.action, 'refused', JSON.stringify(e));
      assert.match(e?.detail ?? '', new RegExp(`${f.victim} is not a disk of the domain`));
      assert.equal(virsh('domstate', uuid).trim(), 'shut off', 'the domain is still defined');
    });
  });
});
