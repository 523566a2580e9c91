/**
 * The usage panel in code-server + Chromium: `npx tsx test/harness/usageShots.ts` (after `npm run build`). Two
 * clones of the real test guest run, clone 1 a busy loop started through the agent. The panel opens from the
 * palette; inside its webview the script checks that each clone has four charts and the host two, that the lines are
 * drawn (pixels in the theme's chart colour, read from its CSS variables) with more than one data point, then clicks
 * clone 2's title and checks that the tree selects clone 2. Screenshot: out/screenshots/usage-panel.png. Removes
 * everything it made, also on failure.
 */
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { REPO } from '../../scripts/codeServer';
import { openQq2cloneView, shoot, sideBar } from './ui';
import { withShotWorkbench } from './shotBed';
import { guestExec } from '../guest';
import { bootAll } from '../guest/bootAll';

const RUN = path.join(REPO, '.run/usage-shots');
const print = (s: string): void => void process.stdout.write(`${s}\n`);

async function palette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title.replace(/^qq2clone: /, '') }).first().waitFor({ timeout: 30_000 });
  await input.press('Enter');
}

/** Pixels of `canvas` within a small distance of the colour `css` (any CSS colour the browser understands). */
const INK = `(canvas, css) => {
  const probe = document.createElement('canvas').getContext('2d');
  probe.fillStyle = css;
  probe.fillRect(0, 0, 1, 1);
  const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
  const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 40) n++;
  return n;
}`;

async function main(): Promise<number> {
  return withShotWorkbench(
    {
      tag: 'ushots',
      runDir: RUN,
      prepare: async ({ bed, service, templateDir }) => {
        const tpl = bed.makeGuestTemplate(templateDir, 'g');
        const made = await service.clone(tpl.name, 2, { run: true });
        const names = made.map((c) => c.name);
        await bootAll(names);
        await guestExec(names[0]!, ['sh', '-c', '(while :; do :; done) </dev/null >/dev/null 2>&1 &']);
        return { made: { names }, settings: { 'qq2clone.usage.refreshSeconds': 2 } };
      },
    },
    async (page, { names }) => {
      const problems: string[] = [];
      const view = await openQq2cloneView(page);
      await view.locator('.monaco-list-row', { hasText: names[1]! }).waitFor({ state: 'visible', timeout: 60_000 });
      await palette(page, 'qq2clone: Show Usage');
      const web: FrameLocator = page.frameLocator('iframe.webview').frameLocator('#active-frame');
      const clones = web.locator('section.clone');
      await clones.nth(1).waitFor({ state: 'visible', timeout: 90_000 });
      // Enough frames for lines: wait until the busy clone's CPU line spans several points.
      await page.waitForTimeout(12_000);
      const order = await web.locator('a.clone-title').allInnerTexts();
      print(`panel clones (sorted by CPU): ${order.join(' | ')}`);
      if (!order[0]?.endsWith(names[0]!)) problems.push(`the busy clone is not first when sorted by CPU: ${order.join(', ')}`);
      const canvases = await web.locator('section.clone').first().locator('canvas').count();
      const hostCanvases = await web.locator('section.host canvas').count();
      if (canvases !== 4 || hostCanvases !== 2) problems.push(`charts: ${canvases} for the busy clone (4 wanted), ${hostCanvases} for the host (2 wanted)`);
      const blue = await web.locator('body').evaluate((b) => getComputedStyle(b).getPropertyValue('--vscode-charts-blue').trim());
      const fg = await web.locator('body').evaluate((b) => getComputedStyle(b).getPropertyValue('--vscode-foreground').trim());
      if (!blue || !fg) problems.push(`the webview has no theme colours (--vscode-charts-blue "${blue}", --vscode-foreground "${fg}")`);
      const cpuCanvas = web.locator('section.clone').first().locator('canvas').first();
      const ink = await cpuCanvas.evaluate(new Function(`return (${INK})`)() as (c: Element, css: string) => number, blue);
      print(`busy clone's CPU chart: ${ink} pixels in the theme's charts.blue (${blue}); theme foreground ${fg}`);
      if (ink < 30) problems.push(`the busy clone's CPU line is not drawn in the theme colour (${ink} pixels of ${blue})`);
      print(`screenshot: ${path.relative(REPO, await shoot(page, 'usage-panel', 'window'))}`);
      await web.locator('a.clone-title', { hasText: names[1]! }).click();
      const row = sideBar(page).locator('.monaco-list-row', { hasText: names[1]! });
      try {
        await page.waitForFunction(
          (name) => Array.from(document.querySelectorAll('.monaco-list-row.selected')).some((r) => r.textContent?.includes(name)),
          names[1]!,
          { timeout: 15_000 },
        );
        print(`clicking ${names[1]} in the panel selected its row: ${(await row.getAttribute('aria-selected')) ?? ''}`);
      } catch {
        problems.push(`clicking ${names[1]} in the panel did not select it in the tree`);
      }
      print(`screenshot: ${path.relative(REPO, await shoot(page, 'usage-panel-selected', 'window'))}`);
      for (const p of problems) print(`FAIL ${p}`);
      return problems.length ? 1 : 0;
    },
  );
}

void main()
  .catch((e: unknown) => {
    print(`usage screenshots failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  })
  .then((code) => process.exit(code));
