/** The one template-name rule, and every path that takes a name obeying exactly it. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../../src/core/errors';
import { assertName, nameProblem } from '../../src/core/names';
import type { LibvirtService } from '../../src/libvirt/api';
import { readTemplateDir, readTemplate, templateFileIn } from '../../src/libvirt/templates/templateFiles';
import { templatePath as opsTemplatePath } from '../../src/libvirt/templates/templateOps';

const GOOD = ['Debian', 'debian-12.5_x86', 'a+b', '9front', 'x.y', 'A_'];
const BAD: readonly (readonly [string, RegExp])[] = [
  ['a/b', /'\/'/],
  ["it's", /'''/],
  ['a"b', /'"'/],
  ['', /empty/],
  ['.', /start with a letter or a digit/],
  ['..', /start with a letter or a digit/],
  ['.x', /start with a letter or a digit/],
  ['_x', /start with a letter or a digit/],
  ['-t', /start with "-"/],
  ['a b', /whitespace/],
  ['a\tb', /whitespace/],
  ['a\x01b', /control characters/],
  ['a@b', /'@'/],
  ['a:b', /':'/],
  ['a$b', /'\$'/],
  ['x'.repeat(101), /at most/],
];

const usageError = (f: () => unknown): boolean => {
  try {
    f();
    return false;
  } catch (e) {
    if (e instanceof UsageError) return true;
    throw e;
  }
};

describe('template names: one rule', () => {
  it('accepts letters, digits, ".", "_", "+", "-" starting with a letter or digit; says what is wrong otherwise', () => {
    for (const ok of GOOD) assert.equal(nameProblem(ok), undefined, ok);
    for (const [bad, why] of BAD) assert.match(nameProblem(bad) ?? '', why, JSON.stringify(bad));
    assert.throws(() => assertName('a@b'), (e: unknown) => e instanceof UsageError && e.exitCode === 12 && /Invalid template name 'a@b'/.test(e.message));
  });

  it('the template file paths of reading/cloning and of import/copy/rename refuse exactly the names the rule refuses', () => {
    const svc = { config: { templateDir: '/t' } } as unknown as LibvirtService;
    for (const n of [...GOOD, ...BAD.map(([b]) => b)]) {
      const refused = nameProblem(n) !== undefined;
      assert.equal(usageError(() => templateFileIn('/t', n)), refused, `templates.ts ${JSON.stringify(n)}`);
      assert.equal(usageError(() => opsTemplatePath(svc, n)), refused, `templateOps.ts ${JSON.stringify(n)}`);
    }
  });

  it('a template file whose name breaks the rule is listed with a problem, not offered as usable', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'q2c-names-'));
    try {
      const xml = '<domain type="qemu"><name>x</name></domain>';
      for (const f of ['good.xml', 'a@b.xml', 'a:b.xml', '_x.xml', '.hidden.xml.1234.tmp', '.x.xml']) await fs.writeFile(path.join(dir, f), xml);
      const listed = await readTemplateDir(dir);
      assert.deepEqual(listed.map((t) => [t.name, t.problem === undefined]), [['_x', false], ['a:b', false], ['a@b', false], ['good', true]]);
      assert.match(listed.find((t) => t.name === 'a@b')!.problem!, /'@'.*Rename the file/);
      await assert.rejects(readTemplate(dir, 'a@b'), UsageError);
      assert.equal(await readTemplate(dir, 'good'), xml);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
