/**
 * Debian's Chromium driven by playwright-core (no browser download): headless, a fresh profile per run, nothing
 * that reaches the network on its own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.QQ2CLONE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(profileDir: string): Promise<BrowserContext> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run scripts/setup-testbed.sh as root (it installs Debian's chromium).`);
  }
  fs.rmSync(profileDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(profileDir), { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
    ],
  });
}

/** A new page with the workbench loaded from `url`; `before` runs before loading (expose functions there). */
export async function openWorkbench(ctx: BrowserContext, url: string, before?: (p: Page) => Promise<void>): Promise<Page> {
  const page = await ctx.newPage();
  if (before) await before(page);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  return page;
}
