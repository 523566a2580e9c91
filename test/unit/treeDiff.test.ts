/** The clone-versus-template tree comparison: metadata first, content only where the metadata cannot tell. */
import * as assert from 'node:assert/strict';
import { changeLine, diffMetadata, withContent, type TreeEntry } from '../../src/core/treeDiff';

const DIR = 0o040755;
const FILE = 0o100644;
const LINK = 0o120777;
const e = (path: string, mode: number, size = 0, mtime = 1000, target?: string): TreeEntry => ({ path, mode, size, mtime, ...(target ? { target } : {}) });

const base: TreeEntry[] = [
  e('/etc', DIR, 4096),
  e('/etc/hostname', FILE, 6),
  e('/etc/motd', FILE, 10),
  e('/etc/touched', FILE, 5),
  e('/etc/rewritten', FILE, 5),
  e('/etc/link', LINK, 8, 1000, 'hostname'),
  e('/old', DIR, 4096),
  e('/old/a', FILE, 1),
  e('/script', FILE, 3),
];

describe('tree diff', () => {
  it('finds added, deleted and changed entries from metadata, and asks for content only where size and mode agree', () => {
    const clone: TreeEntry[] = [
      e('/etc', DIR, 4096, 2000), // a directory's mtime alone is no change
      e('/etc/hostname', FILE, 6), // untouched
      e('/etc/motd', FILE, 11, 2000), // other size: changed without reading it
      e('/etc/touched', FILE, 5, 2000), // same size, other mtime: content decides
      e('/etc/rewritten', FILE, 5, 3000),
      e('/etc/link', LINK, 5, 1000, 'motd'),
      e('/new', DIR, 4096, 2000),
      e('/new/b', FILE, 2, 2000),
      e('/script', 0o100755, 3), // chmod +x
    ];
    const meta = diffMetadata(base, clone);
    assert.deepEqual(meta.candidates, ['/etc/rewritten', '/etc/touched']);
    const final = withContent(meta, [false, true]);
    assert.deepEqual(
      final.map((c) => [changeLine(c), c.what ?? []]),
      [
        ['M /etc/link', ['target']],
        ['M /etc/motd', ['content']],
        ['M /etc/rewritten', ['content']],
        ['+ /new', []],
        ['+ /new/b', []],
        ['- /old', []],
        ['- /old/a', []],
        ['M /script', ['mode']],
      ],
    );
    assert.equal(final.find((c) => c.path === '/new')!.dir, true);
    assert.equal(final.find((c) => c.path === '/old/a')!.dir, false);
  });

  it('reports a type change (file replaced by a folder) and a mode change with new content together', () => {
    const clone = [e('/etc', DIR), e('/etc/hostname', DIR), e('/etc/motd', 0o100600, 10, 5000)];
    const meta = diffMetadata(base.filter((x) => !x.path.startsWith('/old') && x.path !== '/script'), clone);
    assert.deepEqual(meta.candidates, ['/etc/motd']);
    const final = withContent(meta, [false]);
    const by = new Map(final.map((c) => [c.path, c]));
    assert.deepEqual(by.get('/etc/hostname')!.what, ['type']);
    assert.deepEqual(by.get('/etc/motd')!.what, ['mode', 'content']);
    assert.equal(by.get('/etc/touched')!.kind, 'deleted');
  });

  it('finds nothing between identical trees and asks for no content', () => {
    const meta = diffMetadata(base, base.map((x) => ({ ...x })));
    assert.deepEqual(meta, { changes: [], candidates: [] });
    assert.deepEqual(withContent(meta, []), []);
  });
});
