/**
 * The extension-host suite in desktop VS Code (Electron), for a developer machine with internet access:
 * @vscode/test-electron downloads VS Code into .vscode-test/ and runs the same out/test/suite/index.js.
 *   npm run build && node --import tsx test/harness/runElectron.ts      (or: npm run test:electron)
 * It cannot run where update.code.visualstudio.com is unreachable (the download fails with ENOTFOUND): there the
 * offline runner, test/harness/run.ts, does the same with code-server.
 * Environment: QQ2CLONE_VSCODE_VERSION (default: stable), QQ2CLONE_TEST_GREP (mocha grep).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const REPO = path.resolve(__dirname, '../..');

async function main(): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-electron-'));
  try {
    await runTests({
      version: process.env.QQ2CLONE_VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(REPO, 'out/test/suite/index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: process.env.QQ2CLONE_TEST_GREP ? { QQ2CLONE_TEST_GREP: process.env.QQ2CLONE_TEST_GREP } : {},
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`extension-host tests failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
