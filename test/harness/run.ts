/**
 * The extension-host tier, offline: code-server + Debian's Chromium.
 *   1. the packaged .vsix installs into code-server and carries its runtime files;
 *   2. the mocha suite (test/suite, bundled to out/test/suite/index.js) runs inside code-server's extension host;
 *   3. the view in Chromium: screenshots under out/screenshots/, and the unreachable-libvirt welcome with Retry.
 * Prints mocha's output, exits 0 only when every step passed. Expects `npm run build` and `npm run package` done
 * (`npm run test:ext` does both). Environment: QQ2CLONE_TEST_GREP (mocha grep for the suite),
 * QQ2CLONE_HARNESS_TIMEOUT (seconds for everything, default 1500), QQ2CLONE_HARNESS_SUITE_TIMEOUT (the mocha suite, default 1200), QQ2CLONE_HARNESS_VERBOSE=1 (the workbench's log too),
 * QQ2CLONE_HARNESS_SKIP=vsix,ui (skip steps).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { REPO, ensureCodeServer, makeRunDirs, startCodeServer, workbenchUrl, remoteUri, type RunningCodeServer } from '../../scripts/codeServer';
import { launchBrowser, openWorkbench } from './browser';
import { runSuite, SUITE_INDEX } from './suite';
import { installAndCheckVsix } from './vsix';
import { openQq2cloneView, shoot } from './ui';
import { TestBed, TEST_URI } from '../testbed';

/** One directory per run (others may run the tier at the same time); removed after a passing run. */
const RUN = path.join(REPO, '.run/ext-host', String(process.pid));
const NO_DAEMON_URI = 'qemu+unix:///system?socket=/nonexistent/libvirt-sock';
const skip = new Set((process.env.QQ2CLONE_HARNESS_SKIP ?? '').split(',').filter(Boolean));
const print = (s: string): void => void process.stdout.write(`${s}\n`);
const t0 = Date.now();
const elapsed = (): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

let server: RunningCodeServer | undefined;
let browser: BrowserContext | undefined;

async function shutdown(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await server?.stop();
}

/** Opens the extension (development copy) without tests in a folder with the given settings; returns the page. */
async function openDevWindow(name: string, settings: Record<string, unknown>) {
  const folder = path.join(RUN, 'suite', name);
  fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(folder, '.vscode/settings.json'), JSON.stringify(settings, null, 2));
  const payload: [string, string][] = [
    ['extensionDevelopmentPath', remoteUri(server!, REPO)],
    ['skipWelcome', 'true'],
  ];
  return openWorkbench(browser!, workbenchUrl(server!, folder, payload));
}

/** A template with three clones made by the CLI: 1 running, 2 paused, 3 off; shows them in the tree and shoots it. */
async function treeShot(problems: string[]): Promise<void> {
  const bed = new TestBed('ui');
  try {
    const tpl = bed.makeTemplateFile(path.join(bed.root, 'templates'), 'web');
    const cli = (...args: string[]): string =>
      execFileSync(process.execPath, [path.join(REPO, 'dist/cli.js'), '-c', TEST_URI, '-t', tpl.name, ...args], {
        encoding: 'utf8',
        env: { ...process.env, QQ2CLONE_HOME: bed.root },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    cli('-n', 'clone', '3');
    cli('start', '1,2');
    cli('suspend', '2');
    const page = await openDevWindow('ws-tree', { 'qq2clone.templateDirectory': path.join(bed.root, 'templates') });
    const view = await openQq2cloneView(page);
    const rows = view.locator('.monaco-list-row');
    try {
      await rows.nth(3).waitFor({ state: 'visible', timeout: 30_000 });
    } catch {
      problems.push(`the tree does not show the template and its 3 clones (it shows: ${(await view.innerText()).replace(/\s+/g, ' ')})`);
    }
    const text = (await rows.allInnerTexts()).join(' | ').replace(/\s+/g, ' ');
    print(`  tree rows: ${text}`);
    if (!text.includes(tpl.name)) problems.push(`the tree does not show the template ${tpl.name}`);
    print(`  screenshot: ${path.relative(REPO, await shoot(page, 'qq2clone-tree'))}`);
    await page.close();
  } finally {
    bed.cleanup();
  }
}

async function uiStep(): Promise<string[]> {
  const problems: string[] = [];
  await treeShot(problems);
  // The view against the real daemon.
  const page = await openDevWindow('ws-view', {});
  const view = await openQq2cloneView(page);
  await page.waitForTimeout(1500); // let the first inventory read land before the picture
  print(`  screenshot: ${path.relative(REPO, await shoot(page, 'qq2clone-view'))}`);
  print(`  screenshot: ${path.relative(REPO, await shoot(page, 'qq2clone-window', 'window'))}`);
  if (!(await view.isVisible())) problems.push('the Templates view is not visible after clicking qq2clone in the activity bar');
  await page.close();

  // No daemon behind the connection: the welcome says what failed, what to do, and offers Retry.
  const bad = await openDevWindow('ws-unavailable', { 'qq2clone.connectionUri': NO_DAEMON_URI });
  const badView = await openQq2cloneView(bad);
  const retry = badView.locator('.welcome-view-content a.monaco-button, .welcome-view-content .monaco-button', { hasText: 'Retry' });
  try {
    await retry.first().waitFor({ state: 'visible', timeout: 30_000 });
  } catch {
    problems.push('no Retry button in the view while libvirt is unreachable');
  }
  const text = (await badView.innerText()).replace(/\s+/g, ' ');
  print(`  unreachable view says: ${text}`);
  if (!/does not answer|Cannot connect/i.test(text)) problems.push('the unreachable view does not say that libvirt does not answer');
  if (!/systemctl start libvirtd|libvirtd -d/.test(text)) problems.push('the unreachable view does not say how to start the daemon');
  print(`  screenshot: ${path.relative(REPO, await shoot(bad, 'qq2clone-unavailable'))}`);
  if (problems.length === 0) {
    await retry.first().click(); // Retry must not break anything: the welcome stays, since the cause is unchanged
    await retry.first().waitFor({ state: 'visible', timeout: 30_000 });
  }
  await bad.close();
  return problems;
}

async function main(): Promise<number> {
  const started = Date.now();
  for (const f of [SUITE_INDEX, path.join(REPO, 'dist/extension.js')]) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(REPO, f)} is missing: run npm run build first`);
  }
  const install = ensureCodeServer();
  let failed = 0;

  if (!skip.has('vsix')) {
    print(`\n== the packaged .vsix in code-server (at ${elapsed()})`);
    const v = installAndCheckVsix(install, makeRunDirs(path.join(RUN, 'vsix')));
    for (const p of v.problems) print(`  FAIL ${p}`);
    if (v.problems.length) failed++;
    else print(`  ok: ${v.id} installed with --install-extension, listed by --list-extensions, runtime files present`);
  }

  print(`\n== extension-host suite (mocha inside code-server) (at ${elapsed()})`);
  const dirs = makeRunDirs(path.join(RUN, 'suite'));
  const reportFile = path.join(dirs.root, 'mocha.txt');
  // No password for the tests' own server: it serves a throwaway run directory (no HOME of anyone's, no workspace
  // but the tests'), on a free port for the length of one run, and the Chromium that drives it would otherwise
  // have to log in first. npm start, which serves a user's HOME for as long as they like, always has one.
  server = await startCodeServer(install, dirs, { auth: 'none', env: { QQ2CLONE_TEST_REPORT: reportFile } });
  browser = await launchBrowser(path.join(RUN, 'chromium'));
  const code = await runSuite(server, browser, dirs.workspace, {
    reportFile,
    // Real guests boot in the suite (test/suite/guests.test.ts): minutes under TCG on a loaded 2-core machine.
    timeoutMs: Number(process.env.QQ2CLONE_HARNESS_SUITE_TIMEOUT ?? 1200) * 1000,
    print,
    verbose: process.env.QQ2CLONE_HARNESS_VERBOSE === '1',
  });
  print(`  suite exit code: ${code}`);
  if (code !== 0) failed++;

  if (!skip.has('ui')) {
    print(`\n== the view in Chromium (at ${elapsed()})`);
    const problems = await uiStep();
    for (const p of problems) print(`  FAIL ${p}`);
    if (problems.length) failed++;
    else print('  ok: view opened, unreachable state explained with Retry');
  }
  print(`\nextension-host tier: ${failed === 0 ? 'passed' : `${failed} step(s) failed`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failed) print(`(code-server's files of this run are kept in ${path.relative(REPO, RUN)}/)`);
  return failed === 0 ? 0 : 1;
}

const limit = Number(process.env.QQ2CLONE_HARNESS_TIMEOUT ?? 1500) * 1000;
const overall = setTimeout(() => {
  print(`extension-host tier: gave up after ${limit / 1000} s`);
  if (server) print(`code-server output:\n${server.output().slice(-4000)}`);
  void shutdown().finally(() => process.exit(1));
}, limit);

void main()
  .catch((e: unknown) => {
    print(`extension-host tier failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    if (server) print(`code-server output (last lines):\n${server.output().slice(-4000)}`);
    return 1;
  })
  .then(async (code) => {
    clearTimeout(overall);
    await shutdown();
    if (code === 0) fs.rmSync(RUN, { recursive: true, force: true });
    process.exit(code);
  });
