/**
 * UI picture of Open Console: a real clone of the test guest with a VNC display on 127.0.0.1, the palette's "Open
 * Console" with the SET typed as a user would, and a screenshot of the window with the console tab (noVNC's canvas
 * showing the guest's screen) under out/screenshots/qq2clone-console-window.png. The page's console messages are
 * printed. Run: npm run build, then `node --import tsx test/harness/consoleShot.ts`. Exit 0 when the tab's canvas
 * appeared at the guest's 720x400 and was not blank.
 */
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { REPO } from '../../scripts/codeServer';
import { openQq2cloneView, shoot } from './ui';
import { withShotWorkbench } from './shotBed';
import { waitForGuest } from '../guest';

const RUN = path.join(REPO, '.run/console-shot');
const print = (s: string): void => void process.stdout.write(`${s}\n`);

async function palette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await input.press('Enter');
}

/** The canvas of the console page (inside the webview's nested frames), with its size and whether it has ink. */
async function canvasIn(page: Page): Promise<{ frame: Frame; width: number; height: number; ink: number } | undefined> {
  for (const frame of page.frames()) {
    const c = await frame
      .evaluate<{ width: number; height: number; ink: number } | undefined>(
        `(() => {
          const el = document.querySelector('#screen canvas');
          if (!el || !el.width) return undefined;
          const d = el.getContext('2d').getImageData(0, 0, el.width, el.height).data;
          let ink = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 60) ink++;
          return { width: el.width, height: el.height, ink };
        })()`,
      )
      .catch(() => undefined);
    if (c) return { frame, ...c };
  }
  return undefined;
}

async function main(): Promise<number> {
  return withShotWorkbench(
    {
      tag: 'cshot',
      runDir: RUN,
      prepare: async ({ bed, service, templateDir }) => {
        const tpl = bed.makeGuestTemplate(templateDir, 'demo', { vnc: true });
        const [clone] = await service.clone(tpl.name, 1, { run: true });
        await waitForGuest(clone!.name);
        print(`made and booted ${clone!.name}`);
        return { made: clone!, settings: { 'qq2clone.defaultTemplate': tpl.name, 'workbench.startupEditor': 'none' } };
      },
    },
    async (page) => {
      page.on('console', (m) => print(`  page ${m.type()}: ${m.text()}`));
      await openQq2cloneView(page);
      await page.waitForTimeout(1500);
      await palette(page, 'qq2clone: Open Console');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await input.fill('1');
      await page.waitForTimeout(300);
      await input.press('Enter');
      let c: Awaited<ReturnType<typeof canvasIn>>;
      for (const end = Date.now() + 120_000; Date.now() < end; await page.waitForTimeout(1000)) {
        c = await canvasIn(page);
        if (c && c.ink > 100) break;
      }
      await page.waitForTimeout(1000);
      await page.mouse.move(10, 10);
      print(`canvas: ${c ? `${c.width}x${c.height}, ${c.ink} lit pixels` : 'none'}`);
      print(`screenshot: ${path.relative(REPO, await shoot(page, 'qq2clone-console-window', 'window'))}`);
      return c && c.width === 720 && c.height === 400 && c.ink > 100 ? 0 : 1;
    },
  );
}

void main()
  .catch((e: unknown) => {
    print(`console screenshot failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  })
  .then((code) => process.exit(code));
