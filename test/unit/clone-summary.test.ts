import * as assert from 'node:assert/strict';
import { LibvirtError, TemplateError } from '../../src/core/errors';
import type { CloneInfo } from '../../src/libvirt/api';
import { summarizeClones } from '../../src/extension/commands/clones/cloneSummary';

const clone = (template: string, id: number): CloneInfo => ({
  template,
  id,
  name: `${template}-${id}`,
  uuid: `${template}-u${id}`,
  state: 'off',
  reason: 'unknown',
  saved: false,
});

describe('clone command summary', () => {
  it('counts what was made, names failures with the message, keeps going over templates, details in the log', () => {
    const clash = new LibvirtError("operation failed: domain 'a-3' already exists", { command: 'virsh define x', stderr: 'error: operation failed' });
    const s = summarizeClones(
      [
        { template: 'a', result: { made: [clone('a', 1), clone('a', 2)], failed: [{ template: 'a', id: 3, name: 'a-3', error: clash }], cancelled: 0 } },
        { template: 'b', error: new TemplateError('Template b: disk /i/b.qcow2 does not exist.') },
        { template: 'c', result: { made: [clone('c', 1)], failed: [], cancelled: 2 } },
      ],
      3,
      false,
      [{ what: 'clone 1 (x-1)', reason: 'not a template' }],
    );
    assert.equal(s.severity, 'error');
    assert.equal(
      s.message,
      "Clone: made 3 of 9; 2 failed (clone 3 (a-3) of a: operation failed: domain 'a-3' already exists; template b: Template b: disk /i/b.qcow2 does not exist.); 2 cancelled; skipped clone 1 (x-1): not a template.",
    );
    const errors = s.log.filter((l) => l.level === 'error').map((l) => l.text);
    assert.deepEqual(errors, [
      "Clone a: clone 3 (a-3) failed and left nothing behind: operation failed: domain 'a-3' already exists\ncommand: virsh define x\nerror: operation failed",
      'Clone b: nothing made: Template b: disk /i/b.qcow2 does not exist.',
    ]);
    assert.ok(s.log.some((l) => l.text === 'Clone a: made 2 of 3: a-1, a-2'));
    assert.ok(s.log.some((l) => l.text === 'Clone c: 2 not made (cancelled)'));
  });

  it('is a warning after a cancel and an info note when all were made', () => {
    const cancelled = summarizeClones([{ template: 'a', result: { made: [clone('a', 1)], failed: [], cancelled: 4 } }], 5, true, []);
    assert.deepEqual([cancelled.severity, cancelled.message], ['warning', 'Clone: made 1 of 5 (started); 4 cancelled.']);
    const all = summarizeClones([{ template: 'a', result: { made: [clone('a', 1)], failed: [], cancelled: 0 } }], 1, false, []);
    assert.deepEqual([all.severity, all.message], ['info', 'Clone: made 1 of 1: a-1.']);
  });
});
