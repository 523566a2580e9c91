/**
 * What users see, in Chromium: open the qq2clone view from the activity bar and save screenshots (PNG) under
 * out/screenshots/. Reusable: later checks open other states (clones in states, a context menu, a terminal) with
 * openQq2cloneView() and shoot() them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { REPO } from '../../scripts/codeServer';

export const SCREENSHOTS = path.join(REPO, 'out/screenshots');

/** The side bar part of the workbench. */
export function sideBar(page: Page): Locator {
  return page.locator('[id="workbench.parts.sidebar"]');
}

/** The Templates view's body (tree or welcome content). */
export function templatesView(page: Page): Locator {
  return sideBar(page).locator('.pane').filter({ has: page.locator('.pane-header', { hasText: /templates/i }) });
}

/** Clicks qq2clone in the activity bar (unless its side bar is already open) and waits for the Templates view. */
export async function openQq2cloneView(page: Page): Promise<Locator> {
  const item = page.locator('.activitybar .action-item a[aria-label^="qq2clone"], .activitybar .action-item[aria-label^="qq2clone"]').first();
  await item.waitFor({ state: 'visible', timeout: 60_000 });
  const title = sideBar(page).locator('.title-label', { hasText: /qq2clone/i });
  if (!(await title.isVisible())) await item.click();
  const view = templatesView(page);
  await view.waitFor({ state: 'visible', timeout: 30_000 });
  // The extension activates on the view: wait until its tree, welcome content or message replaces the placeholder.
  const content = view.locator('.monaco-list-row:visible, .welcome-view-content:visible, .message:visible');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = (await content.allInnerTexts()).join(' ').trim();
    if (text !== '' && !/no data provider registered/i.test(text)) break;
    if (Date.now() > deadline) throw new Error(`the qq2clone view shows nothing after 60 s (it shows: "${text}")`);
    await page.waitForTimeout(200);
  }
  await page.mouse.move(900, 500); // no hover tooltip on the pictures
  return view;
}

/** Saves a PNG of `target` (default: the side bar) as out/screenshots/<name>.png; returns its path. */
export async function shoot(page: Page, name: string, target?: Locator | 'window'): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  if (target === 'window') await page.screenshot({ path: file });
  else await (target ?? sideBar(page)).screenshot({ path: file });
  return file;
}
