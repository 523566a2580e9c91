/**
 * One definition of "active" (core/operations.ts): no other source file keeps its own list of active states, which
 * is how discard-image once skipped the destroy of a crashed or pmsuspended staging clone.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTIVE_STATES, isActive } from '../../src/core/operations';
import { CLONE_STATES } from '../../src/core/states';

const SRC = path.resolve(__dirname, '../../src');
const ACTIVE = '(running|idle|paused|in-shutdown|pmsuspended|crashed)';
/** A state compared with an active state's name, or a list that starts with two of them. */
const OWN_LIST = [new RegExp(`state\\s*[!=]==\\s*'${ACTIVE}'`), new RegExp(`\\[\\s*'${ACTIVE}'\\s*,\\s*'${ACTIVE}'`)];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('one definition of active states', () => {
  it('active is every state with a QEMU process: crashed (kept by on_crash=preserve) and pmsuspended included', () => {
    assert.deepEqual(CLONE_STATES.filter(isActive), ['running', 'idle', 'paused', 'in-shutdown', 'crashed', 'pmsuspended']);
    assert.deepEqual([...ACTIVE_STATES].sort(), CLONE_STATES.filter(isActive).sort());
  });

  it('no source file but core/operations.ts (and the state tables) keeps its own list of active states', () => {
    const allowed = new Set(['core/operations.ts', 'core/states.ts', 'libvirt/states.ts'].map((f) => path.join(SRC, f)));
    const found: string[] = [];
    for (const file of sources(SRC)) {
      if (allowed.has(file)) continue;
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (OWN_LIST.some((re) => re.test(line))) found.push(`${path.relative(SRC, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(found, [], 'use isActive / operationAccepts from core/operations.ts');
  });
});
