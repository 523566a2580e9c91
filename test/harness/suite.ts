/**
 * Runs the extension-host suite (out/test/suite/index.js, the test-electron `run()` shape) inside code-server: the
 * workbench loads the repository as the extension under development and the suite as its tests (the payload) and
 * calls codeAutomationExit with the result. Mocha's output comes from the report file the suite appends to
 * (QQ2CLONE_TEST_REPORT, set in code-server's environment); codeAutomationLog carries the workbench's whole log,
 * printed with `verbose` and, when the suite reports nothing, its last lines.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import type { BrowserContext } from 'playwright-core';
import { REPO, remoteUri, workbenchUrl, type RunningCodeServer } from '../../scripts/codeServer';
import { openWorkbench } from './browser';

export const SUITE_INDEX = path.join(REPO, 'out/test/suite/index.js');

export interface SuiteOptions {
  /** The file named by QQ2CLONE_TEST_REPORT in the server's environment. */
  readonly reportFile: string;
  readonly timeoutMs: number;
  readonly print: (line: string) => void;
  readonly verbose?: boolean;
}

/** Opens the workbench with the test payload and resolves with the suite's exit code (1 on timeout). */
export async function runSuite(server: RunningCodeServer, browser: BrowserContext, folder: string, o: SuiteOptions): Promise<number> {
  let finish: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (finish = r));
  const workbenchLog: string[] = [];
  let printed = 0;
  const pump = (): void => {
    if (!fs.existsSync(o.reportFile)) return;
    const text = fs.readFileSync(o.reportFile, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end > printed) {
      for (const line of text.slice(printed, end - 1).split('\n')) o.print(line);
      printed = end;
    }
  };
  const payload: [string, string][] = [
    ['extensionDevelopmentPath', remoteUri(server, REPO)],
    ['extensionTestsPath', remoteUri(server, SUITE_INDEX)],
    ['skipWelcome', 'true'],
  ];
  fs.rmSync(o.reportFile, { force: true });
  const poll = setInterval(pump, 250);
  let timer: NodeJS.Timeout | undefined;
  try {
    const page = await openWorkbench(browser, workbenchUrl(server, folder, payload), async (p) => {
      await p.exposeFunction('codeAutomationExit', (code: unknown) => finish(typeof code === 'number' ? code : 1));
      await p.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
        const line = `[${type}] ${Array.isArray(args) ? format(...(args as unknown[])) : String(args)}`;
        if (o.verbose) o.print(line);
        workbenchLog.push(line);
        if (workbenchLog.length > 200) workbenchLog.shift();
      });
    });
    const timeout = new Promise<number>((r) => {
      timer = setTimeout(() => {
        o.print(`The extension-host suite did not finish within ${o.timeoutMs / 1000} s.`);
        r(1);
      }, o.timeoutMs);
    });
    const code = await Promise.race([exited, timeout]);
    await page.close().catch(() => undefined);
    return code;
  } finally {
    clearTimeout(timer);
    clearInterval(poll);
    pump();
    if (printed === 0 && !o.verbose) {
      o.print('The suite reported nothing; the workbench log ends with:');
      for (const l of workbenchLog.slice(-60)) o.print(`  ${l}`);
    }
  }
}
