/**
 * The first screen of the product, as `npm start` serves it (scripts/product.ts: the packaged .vsix installed in
 * code-server, the first start's user settings, the qq2clone home as the workspace, a password), in Chromium:
 * `node --import tsx test/harness/firstScreen.ts` after `npm run package`. Logs in and checks, from the page, that
 * what is in front is the qq2clone view (not the Explorer), the *Get Started with qq2clone* walkthrough (not
 * code-server's welcome page), no chat, and the status bar entry; saves out/screenshots/first-screen.png. Then
 * starts it again for the same user in another browser and checks that the walkthrough is not opened again.
 * The qq2clone home is a fresh test-bed directory (no template, no demo import); everything is removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { REPO } from '../../scripts/codeServer';
import { startProduct, type RunningProduct } from '../../scripts/product';
import { launchBrowser } from './browser';
import { openQq2cloneView, shoot, sideBar, templatesView } from './ui';
import { TestBed } from '../testbed';

const RUN = path.join(REPO, '.run/first-screen', String(process.pid));
/** The connection npm start's extension uses: the setting's default (no setting is written for it). */
const URI = 'qemu:///system';
const print = (s: string): void => void process.stdout.write(`${s}\n`);
const problems: string[] = [];
const expect = (ok: boolean, what: string): void => {
  if (!ok) problems.push(what);
};
/** Whether `l` (its first match) becomes visible within `timeout` (generous: the machine may be loaded). */
const visible = (l: ReturnType<Page['locator']>, timeout = 120_000): Promise<boolean> =>
  l.first().waitFor({ state: 'visible', timeout }).then(() => true, () => false);

/** Opens the workbench URL, logs in on code-server's page with the password, waits for the workbench. */
async function logIn(browser: BrowserContext, url: string, password: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  const field = page.locator('input[type="password"]');
  await field.waitFor({ state: 'visible', timeout: 60_000 });
  await field.fill(password);
  await field.press('Enter');
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  return page;
}

/** What the page shows in front: side bar title, active editor tab, the walkthrough's text, chat, status bar. */
async function whatIsInFront(page: Page): Promise<Record<string, string>> {
  const text = async (sel: string): Promise<string> =>
    (await page.locator(sel).first().innerText({ timeout: 5_000 }).catch(() => '')).replace(/\s+/g, ' ').trim();
  return {
    sideBar: await text('[id="workbench.parts.sidebar"] .title-label'),
    activeTab: await text('.tabs-container .tab.active'),
    editor: await text('.gettingStarted.showDetails .gettingStartedSlideDetails'),
    welcomePage: String(await page.locator('.gettingStarted.showCategories').isVisible()),
    chat: String(await page.locator('[id="workbench.parts.auxiliarybar"]').isVisible()),
    statusBar: await text(`.statusbar-item:has-text("${URI}")`),
  };
}

async function firstStart(page: Page): Promise<void> {
  const t0 = Date.now();
  const title = sideBar(page).locator('.title-label', { hasText: /qq2clone/i });
  expect(await visible(title), 'the side bar does not show the qq2clone view');
  print(`the qq2clone view in front ${Date.now() - t0} ms after the workbench appeared`);
  const view = templatesView(page);
  const content = view.locator('.welcome-view-content:visible, .monaco-list-row:visible');
  expect(await visible(content.first()), 'the Templates view shows nothing');
  // The welcome editor shows either its start page (showCategories) or one walkthrough (showDetails).
  const walk = page.locator('.gettingStarted.showDetails .gettingStartedSlideDetails', { hasText: 'Get Started with qq2clone' });
  expect(await visible(walk), 'the qq2clone walkthrough is not in front');
  const status = page.locator('.statusbar-item', { hasText: URI }).first();
  expect(await visible(status), `no status bar entry with ${URI}`);
  await page.waitForTimeout(1500); // the walkthrough's media, for the picture
  await page.mouse.move(900, 500);
  const front = await whatIsInFront(page);
  print(`first start: ${JSON.stringify({ ...front, editor: front.editor.slice(0, 120) })}`);
  expect(!/explorer/i.test(front.sideBar), `the side bar shows "${front.sideBar}"`);
  for (const step of ['Use the demo template or import a machine', 'Clone the template', 'Start clones']) {
    expect(front.editor.includes(step), `the walkthrough in front lacks "${step}"`);
  }
  expect(front.welcomePage === 'false', "code-server's welcome page (Start, Walkthroughs) is in front");
  expect(front.chat === 'false', 'the secondary side bar (chat) is open');
  expect(await page.locator('.tabs-container .tab').count() === 1, `more than the walkthrough is open: ${await page.locator('.tabs-container .tab').allInnerTexts()}`);
  print(`screenshot: ${path.relative(REPO, await shoot(page, 'first-screen', 'window'))}`);
}

/**
 * The same user's next start, in another browser (code-server keeps the layout and the extensions' globalState in
 * the browser, so a new profile starts from nothing there): the walkthrough is not opened for them again.
 */
async function secondStart(page: Page): Promise<void> {
  expect(await visible(page.locator('.statusbar-item', { hasText: URI }).first()), 'no status bar entry on the second start');
  // The first-start step runs in activate(), before the view's first inventory: once the view shows its content,
  // it has decided.
  await openQq2cloneView(page);
  const tabs = await page.locator('.tabs-container .tab').allInnerTexts();
  print(`second start: tabs ${JSON.stringify(tabs)}, ${JSON.stringify(await whatIsInFront(page))}`);
  print(`screenshot: ${path.relative(REPO, await shoot(page, 'first-screen-second-start', 'window'))}`);
  expect(tabs.length === 0, `the second start opened ${JSON.stringify(tabs)} again`);
}

async function main(): Promise<number> {
  const bed = new TestBed('first');
  let product: RunningProduct | undefined;
  let browser: BrowserContext | undefined;
  try {
    const password = randomBytes(18).toString('base64url');
    const start = async (n: number): Promise<Page> => {
      product = await startProduct({ runDir: RUN, home: bed.root, auth: { password } });
      browser = await launchBrowser(path.join(RUN, `chromium-${n}`));
      return logIn(browser, product.url, password);
    };
    const stop = async (): Promise<void> => {
      await browser?.close().catch(() => undefined);
      await product?.server.stop();
    };
    const page = await start(1);
    const settings = JSON.parse(fs.readFileSync(product!.settingsFile, 'utf8')) as Record<string, unknown>;
    print(`user settings of the first start: ${JSON.stringify(settings)}`);
    expect(product!.url.includes(encodeURIComponent(bed.root)), `the workspace is not the qq2clone home: ${product!.url}`);
    await firstStart(page);
    await stop();
    await secondStart(await start(2));
  } finally {
    await browser?.close().catch(() => undefined);
    await product?.server.stop();
    bed.cleanup();
    fs.rmSync(RUN, { recursive: true, force: true });
  }
  for (const p of problems) print(`FAIL ${p}`);
  return problems.length ? 1 : 0;
}

void main()
  .catch((e: unknown) => {
    print(`first screen failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  })
  .then((code) => process.exit(code));
