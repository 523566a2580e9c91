/**
 * Renders the Marketplace icon: media/icon.svg -> media/icon.png (256x256, transparent corners), in Debian's
 * Chromium through playwright-core, the browser the extension-host tests drive. Run after changing the SVG:
 * `node --import tsx scripts/icon.ts`; the PNG is committed (package.json's "icon").
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './codeServer';
import { launchBrowser } from '../test/harness/browser';

const SIZE = 256;

async function main(): Promise<void> {
  const svg = fs.readFileSync(path.join(REPO, 'media/icon.svg'), 'utf8');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-icon-'));
  const browser = await launchBrowser(path.join(profile, 'chromium'));
  try {
    const page = await browser.newPage();
    await page.setViewportSize({ width: SIZE, height: SIZE });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
    const out = path.join(REPO, 'media/icon.png');
    await page.locator('svg').screenshot({ path: out, omitBackground: true });
    console.log(`wrote ${path.relative(REPO, out)}`);
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`icon: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
