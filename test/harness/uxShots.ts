/**
 * What a new user sees, in code-server + Chromium (`node --import tsx test/harness/uxShots.ts` after `npm run build`):
 * the status bar entry and its click, the template menus (with clones, without, broken), the Clone icon, a refused
 * save of invalid XML, the walkthrough, and the progress of deleting three clones, observed in the page every 50 ms
 * from the moment the notification center can be opened (about a second after Delete): whether any progress is left
 * on screen once the summary is there.
 * PNGs go to out/screenshots/ux-*.png. Prints FAIL lines and exits 1 when something is not as it should be.
 * Removes everything it made, also on failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from '../../scripts/codeServer';
import { openQq2cloneView, shoot, sideBar } from './ui';
import { withShotWorkbench } from './shotBed';
import { TEST_URI, tryVirsh } from '../testbed';

const RUN = path.join(REPO, '.run/ux-shots', String(process.pid));
const print = (s: string): void => void process.stdout.write(`${s}\n`);
const problems: string[] = [];
const expect = (ok: boolean, what: string): void => {
  if (!ok) problems.push(what);
};

/**
 * Chooses an entry of the open context menu as a keyboard user would: hover to focus it, then Enter (a click on the
 * label was sometimes not taken, leaving the menu open, since the clone menus grew).
 */
async function chooseMenuEntry(page: Page, label: RegExp): Promise<void> {
  const entry = page.locator('.context-view .action-label', { hasText: label }).first();
  await entry.hover();
  await page.keyboard.press('Enter');
}

async function palette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title.replace(/^qq2clone: /, '') }).first().waitFor({ timeout: 30_000 });
  await input.press('Enter');
}

/** Right-clicks a row of the view and returns the context menu's entries (the menu stays open). */
async function menuOf(page: Page, row: string): Promise<string[]> {
  await sideBar(page).locator('.monaco-list-row', { hasText: row }).first().click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu, .monaco-menu-container').first();
  await menu.waitFor({ state: 'visible', timeout: 15_000 });
  return (await menu.locator('.action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
}

/**
 * The notifications on screen, as the notification center lists them (opened first: a headless page never has the
 * focus, and the workbench shows no toasts without it).
 */
async function notifications(page: Page): Promise<string[]> {
  const center = page.locator('.notifications-center');
  if (!(await center.isVisible())) {
    await palette(page, 'Notifications: Show Notifications');
    await center.waitFor({ state: 'visible', timeout: 15_000 });
  }
  return (await center.locator('.notification-list-item').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

async function main(): Promise<number> {
  return withShotWorkbench(
    {
      tag: 'ux',
      runDir: RUN,
      removeRunDir: true,
      prepare: async ({ bed, service, templateDir }) => {
        const web = bed.makeTemplateFile(templateDir, 'web');
        const spare = bed.makeTemplateFile(templateDir, 'spare');
        const broken = `${bed.prefix}-broken`;
        fs.writeFileSync(path.join(templateDir, `${broken}.xml`), "<domain type='qemu'>\n  <name>half</name>\n");
        const made = await service.clone(web.name, 3, { run: false });
        print(`made ${made.map((c) => c.name).join(', ')}`);
        return {
          made: { web, spare, broken, made },
          settings: {
            'qq2clone.defaultTemplate': web.name,
            'files.autoSave': 'off',
            'workbench.startupEditor': 'none',
            'workbench.secondarySideBar.defaultVisibility': 'hidden',
            'chat.disableAIFeatures': true,
            'git.openRepositoryInParentFolders': 'never',
          },
        };
      },
    },
    async (page, { web, spare, broken, made }) => {
      const view = await openQq2cloneView(page);
      const box = await sideBar(page).boundingBox();
      if (box) {
        await page.mouse.move(box.x + box.width + 1, box.y + 200);
        await page.mouse.down();
        await page.mouse.move(box.x + 520, box.y + 200, { steps: 5 });
        await page.mouse.up();
      }
      await view.locator('.monaco-list-row', { hasText: made[2]!.name }).waitFor({ state: 'visible', timeout: 60_000 });

      // The status bar entry: the connection and the clones running; a click brings the view back.
      const status = page.locator('.statusbar-item', { hasText: TEST_URI }).first();
      await status.waitFor({ state: 'visible', timeout: 30_000 });
      const statusText = (await status.innerText()).trim();
      print(`status bar: ${statusText}`);
      // Other clones on the shared connection count too: the form, not the number (the suite checks the number).
      expect(/: \d+ running$/.test(statusText), `status bar says "${statusText}", not "${TEST_URI}: N running"`);
      await page.keyboard.press('Control+Shift+E');
      await sideBar(page).locator('.title-label', { hasText: /explorer/i }).waitFor({ timeout: 15_000 });
      await status.click();
      const back = await sideBar(page).locator('.title-label', { hasText: /qq2clone/i }).waitFor({ timeout: 15_000 }).then(() => true, () => false);
      expect(back, 'a click on the status bar entry does not show the qq2clone view');
      print(`screenshot: ${path.relative(REPO, await shoot(page, 'ux-status-bar', 'window'))}`);

      // The rows: Clone's own icon, the broken template's short problem and its Show Problem action.
      const webRow = view.locator('.monaco-list-row', { hasText: web.name }).first();
      await webRow.hover();
      const cloneIcon = webRow.locator('.action-label[aria-label^="Clone Template"]');
      const iconClass = (await cloneIcon.getAttribute('class').catch(() => null)) ?? '';
      print(`inline Clone action: ${iconClass}`);
      expect(iconClass.includes('codicon-repo-forked') && !iconClass.includes('codicon-copy'), `the inline Clone action's icon is "${iconClass}"`);
      const brokenRow = view.locator('.monaco-list-row', { hasText: broken }).first();
      const brokenText = (await brokenRow.innerText()).replace(/\s+/g, ' ');
      print(`broken template row: ${brokenText}`);
      expect(/problem: XML not well-formed/.test(brokenText), `the broken template's row says "${brokenText}"`);
      await brokenRow.hover();
      expect(await brokenRow.locator('.action-label[aria-label^="Show Problem"]').isVisible(), 'no inline Show Problem on the broken template');
      print(`screenshot: ${path.relative(REPO, await shoot(page, 'ux-tree-rows'))}`);

      // Menus offer what applies.
      const menus: [string, string, string[], string[]][] = [
        [web.name, 'ux-menu-template-with-clones', ['Clone Template…', 'Prepare Image (staging clone)'], ['Commit Image', 'Discard Image', 'Force Off Image', 'Delete Template', 'Show Problem']],
        [spare.name, 'ux-menu-template-without-clones', ['Clone Template…', 'Prepare Image (staging clone)', 'Delete Template'], ['Commit Image', 'Discard Image', 'Force Off Image', 'Connect']],
        [broken, 'ux-menu-broken-template', ['Show Problem', 'Edit Template XML', 'Delete Template'], ['Clone Template…', 'Prepare Image', 'Commit Image']],
      ];
      for (const [row, shot, want, not] of menus) {
        const entries = await menuOf(page, row);
        print(`menu of ${row}: ${entries.join(' | ')}`);
        for (const w of want) expect(entries.includes(w), `the menu of ${row} lacks ${w}`);
        for (const n of not) expect(!entries.some((e) => e.startsWith(n)), `the menu of ${row} offers ${n}`);
        print(`screenshot: ${path.relative(REPO, await shoot(page, shot, 'window'))}`);
        await page.keyboard.press('Escape');
      }

      // A refused save: invalid XML typed into clone 1's document, then Ctrl+S.
      const first = made[0]!;
      await menuOf(page, first.name);
      await chooseMenuEntry(page, /^Edit XML$/);
      const editor = page.locator('.editor-instance .monaco-editor').first();
      await editor.waitFor({ state: 'visible', timeout: 30_000 });
      await page.waitForTimeout(1000);
      await editor.click();
      // Find the value, then replace it by typing (typed quotes would get closing ones too: none typed).
      await page.keyboard.press('Control+F');
      await page.keyboard.type("'static'>1<");
      await page.keyboard.press('Escape');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Backspace');
      await page.keyboard.type('abc');
      await page.waitForTimeout(1500); // the problems of the edit
      await page.keyboard.press('Control+S');
      await page.waitForTimeout(2000);
      const said = await notifications(page);
      const shown = said.some((t) => t.includes('was not defined because its XML is invalid'));
      print(`after Ctrl+S: ${said.join(' || ')}`);
      expect(shown, 'no notice that the XML was not defined because it is invalid');
      for (const action of ['Show Problems', 'Save Without Validation', 'Compare with Defined XML']) {
        expect(said.some((t) => t.includes('was not defined') && t.includes(action)), `the refusal does not offer ${action}`);
      }
      expect(!said.some((t) => /Unable to write file|Failed to save/.test(t)), 'the generic "Unable to write file" error showed');
      expect(await page.locator('.tabs-container .tab.dirty').first().isVisible(), 'the document is not dirty after the refused save');
      expect(!/abc/.test(tryVirsh('dumpxml', '--inactive', first.name) ?? 'abc'), 'the invalid XML reached libvirt');
      print(`screenshot: ${path.relative(REPO, await shoot(page, 'ux-refused-save', 'window'))}`);
      await page.locator('.notifications-center .monaco-button', { hasText: 'Show Problems' }).first().click();
      const marker = page.locator('.markers-panel .monaco-list-row', { hasText: 'abc' }).first();
      expect(await marker.waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false), 'Show Problems does not list the problem');
      print(`screenshot: ${path.relative(REPO, await shoot(page, 'ux-refused-save-problems', 'window'))}`);
      await page.keyboard.press('Control+Z');
      await page.keyboard.press('Control+Z');
      await palette(page, 'File: Revert File');
      await palette(page, 'View: Close All Editors');

      // The walkthrough, with room for its pictures.
      for (const room of ['View: Toggle Panel Visibility', 'View: Toggle Primary Side Bar Visibility']) {
        await palette(page, room).catch(() => page.keyboard.press('Escape')); // only for a wider picture
      }
      await palette(page, 'qq2clone: Get Started');
      const walk = page.locator('.gettingStartedContainer').first();
      const opened = await walk.waitFor({ state: 'visible', timeout: 30_000 }).then(() => true, () => false);
      expect(opened, 'Get Started does not open the walkthrough');
      if (opened) {
        await page.waitForTimeout(2000); // the step's media
        const text = (await walk.innerText()).replace(/\s+/g, ' ');
        for (const step of ['Get Started with qq2clone', 'Use the demo template or import a machine', 'Clone the template', 'Start clones', 'Run a command in them', "Edit a clone's XML"]) {
          expect(text.includes(step), `the walkthrough lacks "${step}"`);
        }
        print(`screenshot: ${path.relative(REPO, await shoot(page, 'ux-walkthrough', 'window'))}`);
      }
      await palette(page, 'View: Close All Editors');
      await openQq2cloneView(page);

      // Progress of a delete of three clones: what the notification says, every 50 ms, until it is gone.
      await palette(page, 'Notifications: Clear All Notifications');
      const rows = made.map((c) => view.locator('.monaco-list-row', { hasText: c.name }).first());
      await rows[0]!.click();
      await rows[2]!.click({ modifiers: ['Shift'] });
      const entries = await menuOf(page, made[2]!.name);
      expect(entries.includes('Delete Clones…'), 'the clones menu lacks Delete Clones…');
      await chooseMenuEntry(page, /^Delete Clones…$/);
      await page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Delete$/ }).first().click({ timeout: 15_000 });
      const t0 = Date.now();
      await notifications(page); // the center, left open, lists the progress as it changes
      const seen: string[] = [];
      let summaryAt: number | undefined;
      let progressGoneAt: number | undefined;
      let lastProgress = '';
      while (Date.now() - t0 < 60_000) {
        const now = (await page.locator('.notifications-center .notification-list-item').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
        const progress = now.find((t) => /Delete clones: \d+ of 3/.test(t));
        const summary = now.find((t) => /Delete clones: 3 done/.test(t));
        const at = Date.now() - t0;
        if (progress && progress !== lastProgress) {
          seen.push(`${at} ms: ${/Delete clones: [^·]*?of 3[^A-Z]*/.exec(progress)?.[0]?.trim() ?? progress}`);
          lastProgress = progress;
        }
        if (summary && summaryAt === undefined) {
          summaryAt = at;
          seen.push(`${at} ms: summary "${/Delete clones: 3 done\./.exec(summary)?.[0]}"`);
        }
        if (summaryAt !== undefined && !progress) {
          progressGoneAt = at;
          break;
        }
        await page.waitForTimeout(50);
      }
      print(`delete progress as seen: ${seen.join(' → ')}`);
      print(
        `  progress gone ${progressGoneAt === undefined || summaryAt === undefined ? 'NEVER' : `${progressGoneAt - summaryAt} ms after the summary appeared`}`,
      );
      expect(summaryAt !== undefined, 'no summary "Delete clones: 3 done."');
      expect(progressGoneAt !== undefined, 'the progress notification was still there 60 s after the delete began');
      expect(made.every((c) => tryVirsh('domstate', c.name) === undefined), 'the clones still exist');
      print(`screenshot: ${path.relative(REPO, await shoot(page, 'ux-after-delete', 'window'))}`);
      await page.close();
      for (const p of problems) print(`FAIL ${p}`);
      return problems.length ? 1 : 0;
    },
  );
}

void main()
  .catch((e: unknown) => {
    print(`ux screenshots failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  })
  .then((code) => process.exit(code));
