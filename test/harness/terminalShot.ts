/**
 * UI picture of exec: three real clones of a test-bed template, the palette's "Execute Command on Clones…" with
 * the SET and command typed as a user would, and screenshots of the window and of the terminal panel under
 * out/screenshots/ (qq2clone-exec-window.png, qq2clone-exec-terminal.png). Run: npm run build, then
 * `node --import tsx test/harness/terminalShot.ts`. Exit 0 when the pictures were taken and both runs behaved as
 * expected: the first ran on all three clones; the second stopped at clone 2 (clone 3 not run) and said so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from '../../scripts/codeServer';
import { openQq2cloneView, shoot } from './ui';
import { withShotWorkbench } from './shotBed';
import { TEST_URI } from '../testbed';

const RUN = path.join(REPO, '.run/terminal-shot');
const print = (s: string): void => void process.stdout.write(`${s}\n`);

async function palette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(`>${title}`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
  for (let i = 0; i < 10; i++) {
    const label = (await rows.nth(i).getAttribute('aria-label')) ?? '';
    if (label.startsWith(title) && !label.includes('Parallel')) {
      for (let k = 0; k < i; k++) await input.press('ArrowDown');
      await input.press('Enter');
      return;
    }
  }
  throw new Error(`no palette entry ${title}`);
}

/** Types into the open input box and accepts it. */
async function answer(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(text);
  await page.waitForTimeout(300); // validation of the SET as you type
  await input.press('Enter');
}

async function main(): Promise<number> {
  return withShotWorkbench(
    {
      tag: 'shot',
      runDir: RUN,
      prepare: async ({ bed, service, templateDir }) => {
        const out = path.join(bed.root, 'out');
        const failing = path.join(bed.root, 'failing');
        fs.mkdirSync(out, { mode: 0o777 });
        fs.mkdirSync(failing, { mode: 0o777 });
        const tpl = bed.makeTemplateFile(templateDir, 'demo');
        const clones = await service.clone(tpl.name, 3);
        print(`made ${clones.map((c) => c.name).join(', ')}`);
        return { made: { out, failing, clones }, settings: { 'qq2clone.defaultTemplate': tpl.name, 'workbench.startupEditor': 'none' } };
      },
    },
    async (page, { out, failing, clones }) => {
      await openQq2cloneView(page);
      await page.waitForTimeout(1500);
      await palette(page, 'qq2clone: Execute Command on Clones');
      await answer(page, 'all');
      await answer(page, `echo "disks of $name:"; virsh -q -c ${TEST_URI} domblklist "$uuid"; touch '${out}'/"$uuid"`);
      const deadline = Date.now() + 60_000;
      while (fs.readdirSync(out).length < 3 && Date.now() < deadline) await page.waitForTimeout(250);
      const ran = fs.readdirSync(out).length;
      await page.waitForTimeout(1500); // the summary line and the notification
      await page.mouse.move(640, 300);
      print(`runs seen: ${ran} of 3`);
      print(`screenshot: ${path.relative(REPO, await shoot(page, 'qq2clone-exec-window', 'window'))}`);

      // A second run that fails at clone 2: the terminal names the clone and its status, then the summary.
      await page.mouse.click(660, 250); // focus leaves the terminal (which would take F1 as input)
      await page.waitForTimeout(300);
      await palette(page, 'qq2clone: Execute Command on Clones');
      await answer(page, 'all');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'New command' }).first().click({ timeout: 30_000 });
      await answer(
        page,
        `touch '${failing}'/"$uuid"; echo "checking $name"; [ "$name" != '${clones[1]!.name}' ] || { echo "$name: not ready" >&2; exit 3; }`,
      );
      const until = Date.now() + 60_000;
      while (fs.readdirSync(failing).length < 2 && Date.now() < until) await page.waitForTimeout(250);
      await page.waitForTimeout(1500); // the terminal's last lines
      await page.mouse.move(640, 300);
      const panel = page.locator('[id="workbench.parts.panel"]');
      print(`screenshot: ${path.relative(REPO, await shoot(page, 'qq2clone-exec-failed', 'window'))}`);
      print(`screenshot: ${path.relative(REPO, await shoot(page, 'qq2clone-exec-terminal', panel))}`);
      // The notification naming the failed clone and its status comes after the driver's summary. This window shows
      // no toasts (it never has the focus): the notification center, opened, lists it.
      const told = `clone ${clones[1]!.id} (${clones[1]!.name}) exited with status 3; 1 of 3 succeeded, 1 not run`;
      await page.mouse.click(660, 250);
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.fill('>Notifications: Show Notifications');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Notifications' }).first().waitFor({ timeout: 30_000 });
      await input.press('Enter');
      const notified = await page
        .locator('.notifications-center .notification-list-item-message', { hasText: told })
        .first()
        .waitFor({ state: 'visible', timeout: 30_000 })
        .then(() => true, () => false);
      // Clones 1 and 2 ran, clone 3 did not: the sequence stopped at the failure.
      const failedRuns = fs.readdirSync(failing).sort();
      const expected = clones.slice(0, 2).map((c) => c.uuid).sort();
      const stopped = JSON.stringify(failedRuns) === JSON.stringify(expected);
      print(`failing run: ${failedRuns.length} of 3 ran (expected 2), ${notified ? 'notified' : 'NO notification'}: "${told}"`);
      return ran === 3 && stopped && notified ? 0 : 1;
    },
  );
}

void main()
  .catch((e: unknown) => {
    print(`terminal screenshot failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  })
  .then((code) => process.exit(code));
