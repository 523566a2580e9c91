/**
 * Screenshots of the Templates view with clones in several states and the context menu of a running clone, in
 * code-server + Chromium: `npx tsx test/harness/treeShots.ts` (after `npm run build`). A test-bed template gets four
 * clones made by the service, put into running, paused, saved and off with virsh; the workbench opens the extension
 * with settings pointing at the bed. PNGs go to out/screenshots/. Removes everything it made, also on failure.
 */
import * as path from 'node:path';
import { REPO } from '../../scripts/codeServer';
import { openQq2cloneView, shoot } from './ui';
import { withShotWorkbench } from './shotBed';
import { virsh } from '../testbed';

const RUN = path.join(REPO, '.run/tree-shots');
const print = (s: string): void => void process.stdout.write(`${s}\n`);

async function main(): Promise<number> {
  return withShotWorkbench(
    {
      tag: 'shots',
      runDir: RUN,
      prepare: async ({ bed, service, templateDir }) => {
        const tpl = bed.makeTemplateFile(templateDir, 'debian');
        const made = await service.clone(tpl.name, 4, { run: false });
        const [a, b, c] = made.map((x) => x.name);
        virsh('start', a!);
        virsh('start', b!);
        virsh('start', c!);
        virsh('suspend', b!);
        virsh('managedsave', c!);
        return { made: { runningName: a! } };
      },
    },
    async (page, { runningName }) => {
      const view = await openQq2cloneView(page);
      // Widen the side bar so that names and states are readable in the picture.
      const box = await page.locator('[id="workbench.parts.sidebar"]').boundingBox();
      if (box) {
        await page.mouse.move(box.x + box.width + 1, box.y + 200);
        await page.mouse.down();
        await page.mouse.move(box.x + 560, box.y + 200, { steps: 5 });
        await page.mouse.up();
      }
      const running = view.locator('.monaco-list-row', { hasText: runningName });
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
    },
  );
}

void main()
  .catch((e: unknown) => {
    print(`tree screenshots failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  })
  .then((code) => process.exit(code));
