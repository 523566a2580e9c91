/** The lint rule that keeps process spawning in src/libvirt/: checked on sample code placed at real paths. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const SAMPLE = `import { spawn } from 'node:child_process';
import { execFile } from 'child_process';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
export const a = [spawn, execFile, execa];
export type B = ResultPromise;
export const c = import('execa');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const d = require('node:child_process') as unknown;
`;

describe('lint: only src/libvirt/ spawns processes', function () {
  this.timeout(60_000);
  // The project's own config; only the two rules in question run (so no type information is needed).
  const eslint = new ESLint({
    cwd: path.resolve(__dirname, '../..'),
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === '@typescript-eslint/no-restricted-imports' || ruleId === 'no-restricted-syntax',
  });
  const flagged = async (file: string): Promise<number[]> =>
    (await eslint.lintText(SAMPLE, { filePath: file }))[0]!.messages.map((m) => {
      assert.match(m.message, /Only src\/libvirt\/ spawns processes/);
      return m.line;
    });

  it('refuses child_process and execa (static, dynamic, require) anywhere else in src/; a type import is fine', async () => {
    for (const file of ['src/extension/tree/model.ts', 'src/extension/commands/registry.ts', 'src/cli/run.ts', 'src/core/set.ts', 'src/extension/extension.ts']) {
      assert.deepEqual(await flagged(file), [1, 2, 3, 7, 9], file);
    }
  });

  it('allows them in src/libvirt/, tests and benchmarks', async () => {
    for (const file of ['src/libvirt/runner.ts', 'test/unit/set.test.ts', 'test/libvirt/cli.test.ts', 'bench/clone-rm.ts']) {
      assert.deepEqual(await flagged(file), [], file);
    }
  });
});
