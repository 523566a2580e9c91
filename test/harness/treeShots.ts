/**
 * Screenshots of the Templates view with clones in several states and the context menu of a running clone, in
 * code-server + Chromium: `npx tsx test/harness/treeShots.ts` (after `npm run build`). A test-bed template gets four
 * clones made by the service, put into running, paused, saved and off with virsh; the workbench opens the extension
 * with settings pointing at the bed. PNGs go to out/screenshots/. Removes everything it made, also on failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { REPO, ensureCodeServer, makeRunDirs, remoteUri, startCodeServer, workbenchUrl, type RunningCodeServer } from './codeServer';
import { launchBrowser, openWorkbench } from './browser';
import { openQq2cloneView, shoot } from './ui';
import { TestBed, TEST_URI, virsh } from '../testbed';
import { createLibvirtService } from '../../src/libvirt';

const RUN = path.join(REPO, '.run/tree-shots');
const print = (s: string): void => void process.stdout.write(`${s}\n`);

async function main(): Promise<number> {
  const bed = new TestBed('shots');
  let server: RunningCodeServer | undefined;
  let browser: BrowserContext | undefined;
  const templateDir = path.join(bed.root, 'templates');
  const storage = path.join(bed.root, 'pool');
  fs.mkdirSync(storage, { recursive: true });
  const service = createLibvirtService({ uri: TEST_URI, templateDir, storage, home: bed.root });
  try {
    const tpl = bed.makeTemplateFile(templateDir, 'debian');
    const made = await service.clone(tpl.name, 4, { run: false });
    const [a, b, c] = made.map((x) => x.name);
    virsh('start', a!);
    virsh('start', b!);
    virsh('start', c!);
    virsh('suspend', b!);
    virsh('managedsave', c!);

    const install = ensureCodeServer();
    const dirs = makeRunDirs(RUN);
    server = await startCodeServer(install, dirs);
    browser = await launchBrowser(path.join(RUN, 'chromium'));
    const folder = path.join(RUN, 'ws');
    fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(folder, '.vscode/settings.json'),
      JSON.stringify({ 'qq2clone.templateDirectory': templateDir, 'qq2clone.storage': storage, 'workbench.colorTheme': 'Default Dark Modern' }, null, 2),
    );
    const page = await openWorkbench(
      browser,
      workbenchUrl(server, folder, [
        ['extensionDevelopmentPath', remoteUri(server, REPO)],
        ['skipWelcome', 'true'],
      ]),
    );
    const view = await openQq2cloneView(page);
    // Widen the side bar so that names and states are readable in the picture.
    const box = await page.locator('[id="workbench.parts.sidebar"]').boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width + 1, box.y + 200);
      await page.mouse.down();
      await page.mouse.move(box.x + 560, box.y + 200, { steps: 5 });
      await page.mouse.up();
    }
    const running = view.locator('.monaco-list-row', { hasText: a! });
    await running.waitFor({ state: 'visible', timeout: 60_000 });
    await view.locator('.monaco-list-row', { hasText: 'saved' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    print(`screenshot: ${path.relative(REPO, await shoot(page, 'tree-clone-states'))}`);
    await running.click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu, .monaco-menu-container').first();
    await menu.waitFor({ state: 'visible', timeout: 15_000 });
    const entries = (await menu.innerText()).replace(/\s*\n\s*/g, ' | ');
    print(`context menu of a running clone: ${entries}`);
    print(`screenshot: ${path.relative(REPO, await shoot(page, 'tree-running-clone-menu', 'window'))}`);
    const problems: string[] = [];
    for (const want of ['Suspend', 'Save', 'Destroy', 'Delete']) if (!entries.includes(want)) problems.push(`menu lacks ${want}`);
    if (/Start Clones|Resume/.test(entries)) problems.push('menu offers Start or Resume on a running clone');
    for (const p of problems) print(`FAIL ${p}`);
    return problems.length ? 1 : 0;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    service.dispose();
    bed.cleanup();
  }
}

void main()
  .catch((e: unknown) => {
    print(`tree screenshots failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  })
  .then((code) => process.exit(code));
