/** The lint rule that keeps image files behind the image store: checked on sample code placed at real paths. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const SAMPLE = `import * as fs from 'node:fs/promises';
import { rmSync } from 'fs';
import type { Stats } from 'node:fs';
export const a = [fs, rmSync];
export type B = Stats;
export const c = ['qemu-img', 'shred', 'virsh'];
`;

describe('lint: clone, rm, check, staging and policies reach image files only through the image store', function () {
  this.timeout(60_000);
  const eslint = new ESLint({
    cwd: path.resolve(__dirname, '../..'),
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === '@typescript-eslint/no-restricted-imports' || ruleId === 'no-restricted-syntax',
  });
  const flagged = async (file: string): Promise<string[]> =>
    (await eslint.lintText(SAMPLE, { filePath: file }))[0]!.messages.map((m) => {
      assert.match(m.message, /image store/);
      return `${m.line}:${m.column}`;
    });

  it('refuses file system imports and image tools there; a type import is fine', async () => {
    for (const file of [
      'src/libvirt/clones/makeClones.ts',
      'src/libvirt/clones/setOperations.ts',
      'src/libvirt/clones/staging.ts',
      'src/libvirt/check/check.ts',
      'src/libvirt/check/fixes.ts',
      'src/libvirt/policy/apply.ts',
    ]) {
      // Lines 1 and 2 (value imports), and the two image tools on line 6; not the type import, not virsh.
      assert.deepEqual(await flagged(file), ['1:1', '2:1', '6:19', '6:31'], file);
    }
  });

  it('allows them in the store itself and elsewhere in src/libvirt/', async () => {
    for (const file of ['src/libvirt/storage/localFiles.ts', 'src/libvirt/templates/templateFiles.ts', 'src/libvirt/check/kvmAccess.ts']) {
      assert.deepEqual(await flagged(file), [], file);
    }
  });
});
