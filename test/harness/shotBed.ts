/**
 * What the screenshot scripts share: a test bed with a template directory and a storage directory, the service on
 * it, code-server with the extension under development, Chromium, and a workspace whose settings point at the bed.
 * Everything is removed afterwards, also on failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { REPO, ensureCodeServer, makeRunDirs, remoteUri, startCodeServer, workbenchUrl, type RunningCodeServer } from '../../scripts/codeServer';
import { launchBrowser, openWorkbench } from './browser';
import { TestBed, TEST_URI } from '../testbed';
import { createLibvirtService } from '../../src/libvirt';
import type { LibvirtService } from '../../src/libvirt/api';

export interface ShotBed {
  readonly bed: TestBed;
  readonly service: LibvirtService;
  readonly templateDir: string;
  readonly storage: string;
}

export interface ShotOptions<T> {
  /** The test bed's tag (its names' prefix). */
  readonly tag: string;
  /** Where code-server, Chromium and the workspace keep their files. */
  readonly runDir: string;
  /** Whether runDir is removed at the end. */
  readonly removeRunDir?: boolean;
  /** Makes templates and clones before the workbench opens; resolves to what it made and the workspace's settings. */
  readonly prepare: (b: ShotBed) => Promise<{ readonly made: T; readonly settings?: Record<string, unknown> }>;
}

/** Prepares the bed, opens the workbench on it and runs `work` with its page and what was made; its exit code. */
export async function withShotWorkbench<T>(o: ShotOptions<T>, work: (page: Page, made: T, b: ShotBed) => Promise<number>): Promise<number> {
  const bed = new TestBed(o.tag);
  let server: RunningCodeServer | undefined;
  let browser: BrowserContext | undefined;
  const templateDir = path.join(bed.root, 'templates');
  const storage = path.join(bed.root, 'pool');
  fs.mkdirSync(storage, { recursive: true });
  const b: ShotBed = { bed, templateDir, storage, service: createLibvirtService({ uri: TEST_URI, templateDir, storage, home: bed.root }) };
  try {
    const { made, settings } = await o.prepare(b);
    // No password for the tests' own server: it serves a throwaway run directory (no HOME of anyone's, no workspace
    // but the tests'), on a free port for the length of one run, and the Chromium that drives it would otherwise
    // have to log in first. npm start, which serves a user's HOME for as long as they like, always has one.
    server = await startCodeServer(ensureCodeServer(), makeRunDirs(o.runDir), { auth: 'none' });
    browser = await launchBrowser(path.join(o.runDir, 'chromium'));
    const folder = path.join(o.runDir, 'ws');
    fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(folder, '.vscode/settings.json'),
      JSON.stringify({ 'qq2clone.templateDirectory': templateDir, 'qq2clone.storage': storage, 'workbench.colorTheme': 'Default Dark Modern', ...settings }, null, 2),
    );
    const url = workbenchUrl(server, folder, [
      ['extensionDevelopmentPath', remoteUri(server, REPO)],
      ['skipWelcome', 'true'],
    ]);
    return await work(await openWorkbench(browser, url), made, b);
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    b.service.dispose();
    bed.cleanup();
    if (o.removeRunDir) fs.rmSync(o.runDir, { recursive: true, force: true });
  }
}
