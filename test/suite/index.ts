/**
 * The extension-host test suite: a runner-agnostic `run()` in the shape @vscode/test-electron expects. It runs inside
 * a real VS Code extension host (code-server offline, see test/harness/run.ts; or Electron VS Code online, see
 * test/harness/runElectron.ts). esbuild bundles this file, mocha and every test into out/test/suite/index.js.
 *
 * Adding a test file: create `test/suite/<name>.test.ts` (sub-folders work too) that calls describe()/it() at top
 * level, and run `npm run build`. Nothing to register: esbuild bundles every `*.test.ts` under test/suite/ through the
 * glob require below, and run() loads the files it finds next to this one, in name order. Shared helpers go to
 * test/suite/util/ (not named *.test.ts).
 *
 * Environment: QQ2CLONE_TEST_GREP runs only the tests whose full title matches (a mocha grep);
 * QQ2CLONE_TEST_REPORT names a file that receives mocha's output too (the code-server runner prints it, since the
 * workbench's log mixes the extension host's console with its own messages).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** The source folder of the suite (the bundle lives in out/test/suite/, the sources in test/suite/). */
const SUITE_SRC = path.resolve(__dirname, '../../../test/suite');

function testFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...testFiles(dir, r));
    else if (e.name.endsWith('.test.ts')) out.push(r.slice(0, -'.test.ts'.length));
  }
  return out.sort();
}

/** The suite's mocha: a `.only` left in a test file fails the run instead of silently skipping every other test. */
export function makeMocha(): Mocha {
  return new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', forbidOnly: true });
}

export function run(): Promise<void> {
  const mocha = makeMocha();
  const grep = process.env.QQ2CLONE_TEST_GREP;
  if (grep) mocha.grep(grep);
  const report = process.env.QQ2CLONE_TEST_REPORT;
  if (report) {
    const log = Mocha.reporters.Base.consoleLog;
    Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
      log(...args);
      fs.appendFileSync(report, `${format(...args)}\n`);
    };
  }
  // The test files are modules inside this bundle: give them describe/it, then evaluate them in order.
  mocha.suite.emit('pre-require', globalThis, 'bundle', mocha);
  for (const name of testFiles(SUITE_SRC)) {
    mocha.suite.emit('require', undefined, name, mocha);
    // esbuild turns this template into a map of every test/suite/**/*.test.ts it found at build time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(`./${name}.test.ts`);
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed.`));
      else resolve();
    });
  });
}
