/**
 * ThirdPartyNotices.txt against the bundles: every npm package whose files esbuild puts into what the .vsix ships
 * (the bundles' metafiles, built here in memory with esbuild.js's own targets, plus the packages copied into dist/)
 * has a notice with a licence text, and the check itself notices a package that has none.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';

const root = path.resolve(__dirname, '../..');
const load = createRequire(path.join(root, 'package.json'));
const esbuild = load('esbuild') as typeof import('esbuild');
/** The build's one plugin that changes a source (without it the console page does not build); the others write files. */
const changesSource = (p: { name: string }): boolean => p.name === 'novnc-no-top-level-await';
const { shippedTargets, COPIED_PACKAGES } = load('./esbuild.js') as { shippedTargets: BuildOptions[]; COPIED_PACKAGES: string[] };
interface Notice {
  name: string;
  version: string;
  license: string;
  dir: string;
  text?: string;
}
const notices = load('./scripts/notices.js') as {
  packageDirOf(input: string): string | undefined;
  collectNotices(root: string, metafiles: Metafile[], extraDirs?: string[]): { notices: Notice[]; missing: string[] };
  renderNotices(product: string, notices: Notice[]): string;
};

describe('third-party notices of the bundles', function () {
  this.timeout(120_000);
  let metafiles: Metafile[];

  before(async () => {
    metafiles = await Promise.all(
      shippedTargets.map(async (t) => (await esbuild.build({ ...t, plugins: (t.plugins ?? []).filter(changesSource), write: false, metafile: true, logLevel: 'silent' })).metafile),
    );
  });

  it('names the package of a bundled input, scoped and nested ones too', () => {
    assert.equal(notices.packageDirOf('node_modules/execa/lib/methods/main-async.js'), 'node_modules/execa');
    assert.equal(notices.packageDirOf('node_modules/@sec-ant/readable-stream/dist/ponyfill/index.js'), 'node_modules/@sec-ant/readable-stream');
    assert.equal(notices.packageDirOf('node_modules/npm-run-path/node_modules/path-key/index.js'), 'node_modules/npm-run-path/node_modules/path-key');
    assert.equal(notices.packageDirOf('src/extension/extension.ts'), undefined);
  });

  it('every bundled package has a notice with its licence text', () => {
    const { notices: list, missing } = notices.collectNotices(root, metafiles, COPIED_PACKAGES);
    assert.deepEqual(missing, []);
    const bundled = new Set(metafiles.flatMap((m) => Object.keys(m.inputs)).map((i) => notices.packageDirOf(i)).filter((d) => d !== undefined));
    for (const dir of [...bundled, ...COPIED_PACKAGES]) {
      const n = list.find((x) => x.dir === dir);
      assert.ok(n?.text && n.text.length > 100, `${dir}: no licence text`);
    }
    // What the issue named: the schema validator's WebAssembly build, the usage chart, the XML parser, the process
    // runner and the locks.
    for (const name of ['xmllint-wasm', 'uplot', 'fast-xml-parser', 'execa', 'proper-lockfile']) {
      assert.ok(list.some((n) => n.name === name), `${name} is not among the notices`);
    }
    const text = notices.renderNotices('qq2clone', list);
    for (const n of list) assert.ok(text.includes(`\n${n.name} ${n.version}\nLicense: ${n.license}\n`), `${n.name} ${n.version} has no section`);
  });

  it('reports a bundled package that ships no licence text', () => {
    const fake = fs.mkdtempSync(path.join(os.tmpdir(), 'qqt-notices-'));
    try {
      const dir = path.join(fake, 'node_modules', 'unlicensed');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'unlicensed', version: '1.0.0', license: 'Apache-2.0' }));
      fs.writeFileSync(path.join(dir, 'index.js'), 'module.exports = 1;\n');
      const meta = { inputs: { 'node_modules/unlicensed/index.js': { bytes: 1, imports: [] } }, outputs: {} } as unknown as Metafile;
      assert.deepEqual(notices.collectNotices(fake, [meta]).missing, ['unlicensed@1.0.0 (node_modules/unlicensed)']);
    } finally {
      fs.rmSync(fake, { recursive: true, force: true });
    }
  });
});
