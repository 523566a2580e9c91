/**
 * Runs the extension-host suite (out/test/suite/index.js, the test-electron `run()` shape) inside code-server: the
 * workbench loads the repository as the extension under development and the suite as its tests (the payload), calls
 * codeAutomationLog with what the extension host prints (mocha's output) and codeAutomationExit with the result.
 */
import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { REPO, remoteUri, workbenchUrl, type RunningCodeServer } from './codeServer';
import { openWorkbench } from './browser';

export const SUITE_INDEX = path.join(REPO, 'out/test/suite/index.js');

/** Lines of the workbench's own log that are not the suite's output. */
const NOISE = /^\s*$|^\[(?:Extension Host|.*(?:info|trace|debug|warning))\]|Extension Host|extension host|\bextensionHost\b/i;

/** The text of one codeAutomationLog call: the extension host's console output arrives as its arguments. */
function logText(args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  return list.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
}

/**
 * Opens the workbench with the test payload and resolves with the suite's exit code (1 on timeout).
 * `print` receives mocha's output line by line.
 */
export async function runSuite(
  server: RunningCodeServer,
  browser: BrowserContext,
  folder: string,
  opts: { timeoutMs: number; print: (line: string) => void; verbose?: boolean },
): Promise<number> {
  let finish: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (finish = r));
  const payload: [string, string][] = [
    ['extensionDevelopmentPath', remoteUri(server, REPO)],
    ['extensionTestsPath', remoteUri(server, SUITE_INDEX)],
    ['skipWelcome', 'true'],
  ];
  const page = await openWorkbench(browser, workbenchUrl(server, folder, payload), async (p) => {
    await p.exposeFunction('codeAutomationExit', (code: number) => finish(typeof code === 'number' ? code : 1));
    await p.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      const text = logText(args);
      for (const line of text.split('\n')) {
        if (opts.verbose || !NOISE.test(line)) opts.print(line);
        else if (type === 'error') opts.print(`[workbench ${type}] ${line}`);
      }
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((r) => {
    timer = setTimeout(() => {
      opts.print(`The extension-host suite did not finish within ${opts.timeoutMs / 1000} s.`);
      r(1);
    }, opts.timeoutMs);
  });
  try {
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
    await page.close().catch(() => undefined);
  }
}
