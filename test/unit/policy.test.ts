/** Power-off policies, pure parts: parsing, decisions, reasons, and where they live in clone and template XML. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../src/core/errors';
import { cloneXml, metaElement, parseDomain, readMetaSnippet } from '../../src/libvirt/domain/domainModel';
import {
  bareMetaElement,
  decide,
  describePolicy,
  parsePolicy,
  parsePolicyLog,
  reasonOfDomstate,
  reasonOfHookArg,
  reasonOfStoppedDetail,
  templatePolicyOf,
  withTemplatePolicy,
} from '../../src/libvirt/policy';
import { parsePolicyArgs } from '../../src/cli/commands/policy/policyArgs';

const fx = (f: string) => fs.readFileSync(path.join(__dirname, '../fixtures/virsh', f), 'utf8');

const TEMPLATE = `<domain type='qemu'>
  <name>tpl</name>
  <uuid>0b4a9c64-7bd3-4b4e-8b43-2d5b0f1a7f01</uuid>
  <memory unit='MiB'>32</memory>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/img/tpl.raw'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
`;

describe('power-off policies: parsing', () => {
  it('reset and remove default to shutdown,destroyed; keep has no reasons', () => {
    assert.deepEqual(parsePolicy('reset'), { action: 'reset', on: ['shutdown', 'destroyed'] });
    assert.deepEqual(parsePolicy('remove'), { action: 'remove', on: ['shutdown', 'destroyed'] });
    assert.deepEqual(parsePolicy('keep'), { action: 'keep', on: [] });
  });
  it('--on takes reasons comma separated, from-snapshot for "from snapshot", without duplicates', () => {
    assert.deepEqual(parsePolicy('remove', 'shutdown,crashed,shutdown,from-snapshot').on, ['shutdown', 'crashed', 'from snapshot']);
    assert.deepEqual(parsePolicyArgs('policy SET', ['remove', '--on', 'shutdown']), { action: 'remove', on: ['shutdown'] });
    assert.deepEqual(parsePolicyArgs('policy SET', ['reset', '--on=destroyed,crashed']), { action: 'reset', on: ['destroyed', 'crashed'] });
  });
  it('refuses an unknown action or reason, --on with keep, saved with reset, stray arguments (exit 12)', () => {
    for (const [a, on] of [['wipe', undefined], ['reset', 'shutdown,poweroff'], ['keep', 'shutdown'], ['reset', 'saved'], ['remove', '']] as const) {
      assert.throws(() => parsePolicy(a, on), (e: unknown) => e instanceof UsageError && e.exitCode === 12, `${a} ${on}`);
    }
    assert.throws(() => parsePolicyArgs('policy SET', ['reset', '--on']), UsageError);
    assert.throws(() => parsePolicyArgs('policy SET', ['reset', 'shutdown']), /not understood/);
    assert.throws(() => parsePolicyArgs('policy SET', []), UsageError);
    // remove may apply to saved (the saved memory goes with the clone).
    assert.deepEqual(parsePolicy('remove', 'saved').on, ['saved']);
  });
  it('revert takes the snapshot to go back to: after the action on the command line, refused without one or with a bad name or saved', () => {
    assert.deepEqual(parsePolicyArgs('policy SET', ['revert', 'base', '--on', 'shutdown']), { action: 'revert', on: ['shutdown'], snapshot: 'base' });
    assert.deepEqual(parsePolicy('revert', undefined, 'base'), { action: 'revert', on: ['shutdown', 'destroyed'], snapshot: 'base' });
    assert.throws(() => parsePolicyArgs('policy SET', ['revert']), /revert needs the name of the snapshot/);
    assert.throws(() => parsePolicyArgs('policy SET', ['revert', '--on', 'shutdown']), /revert needs the name of the snapshot/);
    assert.throws(() => parsePolicy('revert', undefined, 'a b'), UsageError);
    assert.throws(() => parsePolicy('revert', 'saved', 'base'), /revert cannot apply to saved/);
    assert.equal(describePolicy(parsePolicy('revert', 'shutdown', 'base')), 'revert to base on shutdown');
  });
  it('describes policies as the CLI and the tree print them', () => {
    assert.equal(describePolicy(undefined), 'keep');
    assert.equal(describePolicy(parsePolicy('remove', 'shutdown,from snapshot')), 'remove on shutdown,from-snapshot');
  });
});

describe('power-off policies: reasons and decisions', () => {
  it('reads the reason of virsh domstate --reason, hook arguments and lifecycle event details', () => {
    // As virsh 9.0 prints them (captured): running, then after destroy.
    assert.equal(reasonOfDomstate('running (booted)\n'), undefined);
    assert.equal(reasonOfDomstate('shut off (destroyed)\n\n'), 'destroyed');
    assert.equal(reasonOfDomstate('shut off (from snapshot)'), 'from snapshot');
    assert.equal(reasonOfDomstate('shut off'), 'unknown');
    assert.equal(reasonOfDomstate('crashed (panicked)'), undefined);
    // libvirt 9.0 passes "-" as the release hook's last argument.
    assert.equal(reasonOfHookArg('-'), undefined);
    assert.equal(reasonOfHookArg('crashed'), 'crashed');
    assert.equal(reasonOfStoppedDetail('Destroyed'), 'destroyed');
    assert.equal(reasonOfStoppedDetail('From snapshot'), 'from snapshot');
    assert.equal(reasonOfStoppedDetail('Whatever'), 'unknown');
  });
  it('acts only on the policy reasons, never resets a saved clone, never touches a running one', () => {
    const reset = parsePolicy('reset');
    const remove = parsePolicy('remove', 'shutdown');
    const off = { saved: false, running: false };
    assert.deepEqual(decide(reset, 'shutdown', off), { act: 'reset' });
    assert.deepEqual(decide(reset, 'destroyed', off), { act: 'reset' });
    assert.equal(decide(reset, 'crashed', off).act, 'none');
    assert.equal(decide(reset, 'failed', off).act, 'none');
    assert.equal(decide(reset, 'shutdown', { saved: true, running: false }).act, 'none');
    assert.equal(decide(reset, 'shutdown', { saved: false, running: true }).act, 'none');
    assert.equal(decide(reset, undefined, off).act, 'none');
    assert.deepEqual(decide(remove, 'shutdown', off), { act: 'remove' });
    assert.equal(decide(remove, 'destroyed', off).act, 'none', 'remove --on shutdown keeps a destroyed clone');
    assert.equal(decide(undefined, 'shutdown', off).act, 'none');
    assert.equal(decide(parsePolicy('keep'), 'shutdown', off).act, 'none');
  });
  it('reverts on the policy reasons, not a saved clone; never resets a clone with snapshots (saying why), reverts one', () => {
    const off = { saved: false, running: false };
    const revert = parsePolicy('revert', undefined, 'base');
    assert.deepEqual(decide(revert, 'shutdown', { ...off, snapshots: 2 }), { act: 'revert' });
    assert.equal(decide(revert, 'crashed', off).act, 'none');
    assert.equal(decide(revert, 'shutdown', { saved: true, running: false }).act, 'none');
    const d = decide(parsePolicy('reset'), 'shutdown', { ...off, snapshots: 1 });
    assert.equal(d.act, 'none');
    assert.match(d.act === 'none' ? d.why : '', /^kept: it has snapshots, which live in the overlays that reset would make afresh/);
    assert.deepEqual(decide(parsePolicy('reset'), 'shutdown', { ...off, snapshots: 0 }), { act: 'reset' });
  });
});

describe('power-off policies in XML', () => {
  it('round-trips in the clone bookkeeping, and reads from a live dumpxml written by virsh metadata (captured)', () => {
    const meta = { template: 'tpl', id: 3, overlays: ['/s/a.qcow2'], storage: '/s', policy: parsePolicy('remove', 'shutdown,crashed') };
    const el = metaElement(meta);
    assert.deepEqual(readMetaSnippet(`<metadata>${el}</metadata>`), meta);
    assert.deepEqual(readMetaSnippet(`<metadata>${metaElement({ ...meta, policy: parsePolicy('keep') })}</metadata>`), { template: 'tpl', id: 3, overlays: ['/s/a.qcow2'], storage: '/s' });
    assert.equal(bareMetaElement(meta), '<clone template="tpl" id="3" storage="/s"><overlay path="/s/a.qcow2"/><policy action="remove" on="shutdown,crashed"/></clone>');
    const live = parseDomain(fx('dumpxml-live-policy.xml'));
    assert.deepEqual(live.meta, { template: 'X', id: 1, overlays: ['/tmp/a'], storage: '/tmp', policy: { action: 'reset', on: ['shutdown', 'destroyed'] } });
  });
  it('keeps a revert policy\'s snapshot in the bookkeeping; revert without a snapshot attribute is no policy', () => {
    const meta = { template: 'tpl', id: 3, overlays: ['/s/a.qcow2'], policy: parsePolicy('revert', 'shutdown', 'base') };
    assert.deepEqual(readMetaSnippet(`<metadata>${metaElement(meta)}</metadata>`), meta);
    assert.match(bareMetaElement(meta), /<policy action="revert" on="shutdown" snapshot="base"\/>/);
    const bare = readMetaSnippet(`<metadata><q2c:clone xmlns:q2c="https://qq2clone.invalid/xmlns/clone/1" template="t" id="1"><q2c:policy action="revert" on="shutdown"/></q2c:clone></metadata>`);
    assert.equal(bare?.policy, undefined);
  });
  it('a policy element with bad attributes is no policy (keep), not an error', () => {
    const m = readMetaSnippet(`<metadata><q2c:clone xmlns:q2c="https://qq2clone.invalid/xmlns/clone/1" template="t" id="1"><q2c:policy action="explode"/></q2c:clone></metadata>`);
    assert.equal(m?.policy, undefined);
  });
  it("sets a template's default: only the policy element changes; keep takes it out and gives back the same bytes", () => {
    const withReset = withTemplatePolicy(TEMPLATE, parsePolicy('reset'));
    assert.deepEqual(templatePolicyOf(parseDomain(withReset)), { action: 'reset', on: ['shutdown', 'destroyed'] });
    assert.match(withReset, /<uuid>[^<]+<\/uuid>\n {2}<metadata>\n {4}<q2c:policy xmlns:q2c="https:\/\/qq2clone.invalid\/xmlns\/clone\/1" action="reset" on="shutdown,destroyed"\/>\n {2}<\/metadata>\n/);
    const withRemove = withTemplatePolicy(withReset, parsePolicy('remove', 'shutdown'));
    assert.deepEqual(templatePolicyOf(parseDomain(withRemove)), { action: 'remove', on: ['shutdown'] });
    assert.equal(withRemove.replace(/action="remove" on="shutdown"/, 'action="reset" on="shutdown,destroyed"'), withReset);
    assert.equal(withTemplatePolicy(withRemove, parsePolicy('keep')), TEMPLATE.replace('</uuid>\n', '</uuid>\n  <metadata>\n  </metadata>\n'));
    assert.equal(withTemplatePolicy(TEMPLATE, parsePolicy('keep')), TEMPLATE);
    assert.equal(templatePolicyOf(parseDomain(TEMPLATE)), undefined);
  });
  it('a new clone inherits the template default in its own bookkeeping; the template element does not stay', () => {
    const tpl = withTemplatePolicy(TEMPLATE, parsePolicy('remove', 'destroyed'));
    const policy = templatePolicyOf(parseDomain(tpl));
    const xml = cloneXml(tpl, {
      name: 'tpl-1',
      uuid: '11111111-2222-3333-4444-555555555555',
      mac: () => '52:54:00:00:00:01',
      overlays: new Map([[0, '/s/tpl-1.vda.qcow2']]),
      meta: { template: 'tpl', id: 1, overlays: ['/s/tpl-1.vda.qcow2'], ...(policy ? { policy } : {}) },
    });
    const d = parseDomain(xml);
    assert.deepEqual(d.meta?.policy, { action: 'remove', on: ['destroyed'] });
    assert.equal(templatePolicyOf(d), undefined);
    assert.equal((xml.match(/q2c:policy/g) ?? []).length, 1);
  });
  it('parses the action log, skipping a line cut short', () => {
    const e = { time: '2026-01-01T00:00:00.000Z', uuid: 'u', name: 'n', template: 't', id: 1, reason: 'shutdown', policy: 'reset on shutdown', action: 'reset', by: 'hook' };
    assert.deepEqual(parsePolicyLog(`${JSON.stringify(e)}\n{"time":"2026-01-01T00:0\n\n`), [e]);
  });
});
