/**
 * The main job on a machine without desktop VS Code: code-server on 127.0.0.1 with the packaged extension
 * (dist/qq2clone.vsix) installed, until Ctrl-C. Run through `npm start`, which installs and builds first.
 * It asks for a password (startAuth.ts: made once, kept in a file only you can read, printed with the URL).
 * Environment: QQ2CLONE_PORT (default 8080, or a free port when taken), QQ2CLONE_FOLDER (folder to open, default: the
 * qq2clone home), QQ2CLONE_START_AUTH=none (no password). HOME stays yours, so the extension uses your qq2clone storage;
 * code-server's own files stay under .run/start/, kept from one start to the next (product.ts: the first start's
 * settings put qq2clone in front). The qq2clone home is QQ2CLONE_HOME, else ~/storage-qq2clone, except that root, whose home
 * libvirt's QEMU user cannot enter, gets /var/lib/qq2clone. When that home has no template, the test guest is
 * imported as the template `demo`, once (demo.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import * as os from 'node:os';
import { REPO, freePort } from './codeServer';
import { startProduct } from './product';
import { ensureDemoTemplate, unreachableByQemu } from './demo';
import { startAuth } from './startAuth';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The qq2clone home the extension will use (exported to it through QQ2CLONE_HOME when it is not the default). */
function chooseHome(): string {
  if (process.env.QQ2CLONE_HOME) return process.env.QQ2CLONE_HOME;
  const home = path.join(os.homedir(), 'storage-qq2clone');
  const why = unreachableByQemu(home);
  if (!why) return home;
  if (process.getuid?.() !== 0) {
    console.error(`start: ${home}: ${why}, so clones cannot start there. Set QQ2CLONE_HOME to a directory it can enter.`);
    return home;
  }
  const fallback = '/var/lib/qq2clone';
  fs.mkdirSync(fallback, { recursive: true, mode: 0o755 });
  console.log(`start: ${home}: ${why}; using QQ2CLONE_HOME=${fallback} instead (set QQ2CLONE_HOME to choose another).`);
  process.env.QQ2CLONE_HOME = fallback;
  return fallback;
}

async function main(): Promise<void> {
  const access = startAuth();
  const home = chooseHome();
  if (!unreachableByQemu(home)) console.log(await ensureDemoTemplate('qemu:///system', home));
  const wanted = Number(process.env.QQ2CLONE_PORT ?? 8080);
  const port = (await portFree(wanted)) ? wanted : await freePort();
  const { server, url } = await startProduct({
    runDir: path.join(REPO, '.run/start'),
    home,
    folder: process.env.QQ2CLONE_FOLDER,
    userHome: process.env.HOME,
    auth: access.auth,
    port,
  });
  console.log(`\nqq2clone is installed in code-server. Open in a browser:\n\n  ${url}\n  ${access.note}\n\nCtrl-C stops it.`);
  const stop = (): void => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.proc.once('exit', (code) => {
    console.error(`code-server exited (${code}):\n${server.output().slice(-2000)}`);
    process.exit(1);
  });
}

main().catch((e: unknown) => {
  console.error(`could not start code-server: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
