/**
 * The product as `npm start` serves it: code-server with the packaged extension (dist/qq2clone.vsix) installed,
 * opening the qq2clone home as its workspace, with first-start user settings that put qq2clone in front (no
 * welcome page of code-server's, no chat, no secondary side bar). The extension itself then reveals its view and
 * its walkthrough on its first activation (src/extension/status/firstStart.ts). start.ts runs it for the user;
 * test/harness/firstScreen.ts runs it in a run directory of its own and checks what the page shows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  VSIX,
  codeServerCli,
  ensureCodeServer,
  makeRunDirs,
  startCodeServer,
  workbenchUrl,
  type CodeServerAuth,
  type RunningCodeServer,
} from './codeServer';

/**
 * code-server's user settings on a first start (written when there are none; later changes are the user's):
 * the startup editor is left to the extension (it opens the qq2clone walkthrough once), and the chat and the
 * secondary side bar it lives in stay closed.
 */
export const FIRST_START_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
};

export interface ProductOptions {
  /** code-server's own files (user data, extensions, XDG directories, temp); kept across starts. */
  readonly runDir: string;
  /** The qq2clone home the extension uses (QQ2CLONE_HOME); it is also the workspace unless `folder` is given. */
  readonly home: string;
  /** The folder to open; default: `home`. */
  readonly folder?: string;
  /** HOME of code-server and the extension; default: the run directory's own. */
  readonly userHome?: string;
  readonly auth: CodeServerAuth;
  readonly port?: number;
}

export interface RunningProduct {
  readonly server: RunningCodeServer;
  /** The workbench URL that opens the workspace. */
  readonly url: string;
  /** The user settings file (made on the first start). */
  readonly settingsFile: string;
}

/** Writes FIRST_START_SETTINGS into `userData`/User/settings.json when that file does not exist yet; its path. */
export function ensureFirstStartSettings(userData: string): string {
  const file = path.join(userData, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, `${JSON.stringify(FIRST_START_SETTINGS, null, 2)}\n`, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return file;
}

/** Installs the packaged extension into code-server and starts it on 127.0.0.1; resolves once it answers. */
export async function startProduct(o: ProductOptions): Promise<RunningProduct> {
  const install = ensureCodeServer();
  const run = makeRunDirs(o.runDir, true);
  const dirs = { ...run, home: o.userHome ?? run.home };
  const settingsFile = ensureFirstStartSettings(dirs.userData);
  codeServerCli(install, dirs, ['--install-extension', VSIX, '--force']);
  const folder = path.resolve(o.folder ?? o.home);
  fs.mkdirSync(folder, { recursive: true });
  const server = await startCodeServer(install, dirs, {
    auth: o.auth,
    port: o.port,
    testDriver: false,
    env: { QQ2CLONE_HOME: o.home },
  });
  return { server, url: workbenchUrl(server, folder), settingsFile };
}
