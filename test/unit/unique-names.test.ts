/** Names that explain themselves: no two modules of src/ export the same name (one name, one thing). */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '../../src');
const DECL = /^export (?:declare )?(?:default )?(?:async )?(?:function\*?|const|let|class|abstract class|interface|type|enum) ([A-Za-z_$][\w$]*)/gm;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Each exported name declared in more than one file, with those files. */
export function duplicateExports(files: readonly { file: string; text: string }[]): Map<string, string[]> {
  const where = new Map<string, string[]>();
  for (const { file, text } of files) {
    for (const m of text.matchAll(DECL)) where.set(m[1]!, [...(where.get(m[1]!) ?? []), file]);
  }
  return new Map([...where].filter(([, f]) => f.length > 1));
}

describe('exported names are unique across src/', () => {
  it('finds a name declared twice (the check itself)', () => {
    const dup = duplicateExports([
      { file: 'a.ts', text: 'export async function runOperation() {}\nexport const a = 1;' },
      { file: 'b.ts', text: 'export interface runOperation {}\nexport type b = 1;' },
    ]);
    assert.deepEqual([...dup], [['runOperation', ['a.ts', 'b.ts']]]);
  });

  it('holds for src/', () => {
    const files = sources(SRC).map((file) => ({ file: path.relative(SRC, file), text: fs.readFileSync(file, 'utf8') }));
    assert.ok(files.length > 200, `read ${files.length} files`);
    const dup = duplicateExports(files);
    assert.deepEqual(Object.fromEntries(dup), {}, 'each of these names is exported by more than one module');
  });
});
