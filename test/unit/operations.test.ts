/**
 * One state table: what the UI and the CLI offer (operationAccepts, the tree's context menus) is exactly what the
 * service acts upon (skipReason); crashed (active, kept by on_crash=preserve) is destroyed, not started.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { operationAccepts, SET_OPERATIONS, type SetOperationName } from '../../src/core/operations';
import { CLONE_STATES } from '../../src/core/states';
import { skipReason } from '../../src/libvirt/clones/setOperations';
import { CLONE_CONTEXT } from '../../src/extension/tree/presentation';

const OPS: readonly SetOperationName[] = ['start', 'destroy', 'suspend', 'resume', 'save', 'save-rm', 'rm', 'rm-wipe', 'rm-shred'];
/** The tree's command per SET operation. */
const MENU_COMMAND: Record<SetOperationName, string> = {
  start: 'qq2clone.start',
  destroy: 'qq2clone.destroy',
  suspend: 'qq2clone.suspend',
  resume: 'qq2clone.resume',
  save: 'qq2clone.save',
  'save-rm': 'qq2clone.saveRm',
  rm: 'qq2clone.rm',
  'rm-wipe': 'qq2clone.rmWipe',
  'rm-shred': 'qq2clone.rmShred',
};

/**
 * The expected answers, written out from the manual's CLONE COMMANDS (not computed from the code under test):
 * "x" acts upon a machine in that state, "." skips it. Columns: the manual's states.
 */
const COLUMNS = ['running', 'idle', 'paused', 'in-shutdown', 'off', 'crashed', 'pmsuspended', 'saved'] as const;
const EXPECTED: Record<SetOperationName, string> = {
  // "Start every machine in SET that is currently not running. For saved domains, their state will be restored."
  start: '. . . . x . . x',
  // "Invoke virsh destroy on any running machine in SET" (every state with a QEMU process, crashed included).
  destroy: 'x x x x . x x .',
  // "Suspend execution of every machine in SET": those that execute.
  suspend: 'x x . . . . . .',
  // "Resume any suspended machines in SET".
  resume: '. . x . . . . .',
  // "Save execution state of every running domain in SET to file" (a paused one has an execution state too).
  save: 'x x x . . . . .',
  // "Delete the state file associated with every machine in SET".
  'save-rm': '. . . . . . . x',
  // "Destroy every domain in SET (if running), undefine them and delete their storage volumes".
  rm: 'x x x x x x x x',
  'rm-wipe': 'x x x x x x x x',
  'rm-shred': 'x x x x x x x x',
};

describe('one state table for the UI, the CLI and the service', () => {
  it("the manual's states are the columns of the table", () => {
    assert.deepEqual([...CLONE_STATES].sort(), [...COLUMNS].sort());
  });

  for (const op of OPS) {
    it(`${op}: acts upon exactly the states the manual says, and skips the others with a reason`, () => {
      const marks = EXPECTED[op].split(' ');
      COLUMNS.forEach((state, i) => {
        const expected = marks[i] === 'x';
        assert.equal(operationAccepts(op, state), expected, `${op} on ${state}`);
        const reason = skipReason(op, state);
        if (expected) assert.equal(reason, undefined, `${op} on ${state}: service skips (${reason})`);
        else assert.ok(reason && reason.length > 0, `${op} on ${state} skips with a reason`);
      });
    });
  }

  it('the table of SET operations has one row per operation, with the tree command of each; those that stop or delete ask first', () => {
    assert.deepEqual(SET_OPERATIONS.map((o) => o.name), OPS);
    for (const o of SET_OPERATIONS) {
      assert.equal(o.command, MENU_COMMAND[o.name], o.name);
      assert.equal(o.confirm !== undefined, ['destroy', 'rm', 'rm-wipe', 'rm-shred'].includes(o.name), `${o.name} asks first`);
      for (const text of [o.label, o.title, o.busyLabel, o.done, o.summary]) assert.ok(text.length > 0, o.name);
    }
    assert.equal(new Set(SET_OPERATIONS.map((o) => o.command)).size, OPS.length, 'one command per operation');
  });

  it('crashed is active: destroy and rm act on it, start does not and says to destroy it first', () => {
    assert.equal(operationAccepts('destroy', 'crashed'), true);
    assert.equal(operationAccepts('rm', 'crashed'), true);
    assert.equal(operationAccepts('start', 'crashed'), false);
    assert.match(skipReason('start', 'crashed')!, /still active.*destroy it first/);
  });

  it('the tree offers each operation in its context menus on exactly the states the table accepts', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
      contributes: { menus: Record<string, { command?: string; when?: string }[]> };
    };
    const items = pkg.contributes.menus['view/item/context'] ?? [];
    for (const op of OPS) {
      const entries = items.filter((i) => i.command === MENU_COMMAND[op]);
      assert.ok(entries.length > 0, `${MENU_COMMAND[op]} is in the clone context menu`);
      const expected = CLONE_STATES.filter((s) => operationAccepts(op, s)).map((s) => CLONE_CONTEXT[s]);
      for (const e of entries) {
        const m = /viewItem\s*(?:==\s*'?([A-Za-z]+)'?|=~\s*\/(.+?)\/(?=\s|$|\)))/.exec(e.when ?? '');
        assert.ok(m, `${MENU_COMMAND[op]}: when clause names the clone states: ${e.when}`);
        const offered = Object.values(CLONE_CONTEXT).filter((v) => (m[1] ? v === m[1] : new RegExp(m[2]!).test(v)));
        assert.deepEqual(offered.sort(), [...expected].sort(), `${MENU_COMMAND[op]} (${e.when})`);
      }
    }
  });
});
