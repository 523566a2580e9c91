/**
 * The packaged extension: dist/qq2clone.vsix must install into code-server (--install-extension), be listed by
 * --list-extensions, and carry the files it loads at run time (the bundles, xmllint-wasm's loader and .wasm, the libguestfs helper, the usage panel's script and style).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, VSIX, codeServerCli, type CodeServerInstall, type RunDirs } from '../../scripts/codeServer';

/** Files the installed extension needs next to its package.json (and the notices of what the bundles contain). */
export const RUNTIME_FILES = ['package.json', 'dist/extension.js', 'dist/cli.js', 'dist/cli/main.mjs', 'dist/hook-worker.js', 'ThirdPartyNotices.txt', 'media/icon.png', 'dist/xmllint-node.js', 'dist/xmllint.wasm', 'dist/guestfs-helper.py', 'dist/usage-panel.js', 'dist/usage-panel.css', 'dist/console-page.js', 'dist/noVNC-LICENSE.txt', 'media/qq2clone.svg', 'media/walkthrough/template.md', 'media/walkthrough/clones.svg'];

export interface VsixCheck {
  readonly id: string;
  readonly installedDir: string;
  readonly problems: string[];
}

/** Installs the .vsix into the run's extensions dir and reports every problem found (empty when it is fine). */
export function installAndCheckVsix(install: CodeServerInstall, dirs: RunDirs): VsixCheck {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const id = `${pkg.publisher}.${pkg.name}`;
  const problems: string[] = [];
  if (!fs.existsSync(VSIX)) return { id, installedDir: '', problems: [`${VSIX} does not exist: run npm run package first`] };
  try {
    codeServerCli(install, dirs, ['--install-extension', VSIX, '--force']);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { id, installedDir: '', problems: [`--install-extension failed: ${err.stderr || err.message}`] };
  }
  const listed = codeServerCli(install, dirs, ['--list-extensions', '--show-versions']).split('\n').map((s) => s.trim());
  if (!listed.includes(`${id}@${pkg.version}`)) problems.push(`--list-extensions does not show ${id}@${pkg.version} (it shows: ${listed.filter(Boolean).join(', ') || 'nothing'})`);
  const installedDir = path.join(dirs.extensions, `${id}-${pkg.version}`);
  for (const f of RUNTIME_FILES) {
    const p = path.join(installedDir, f);
    if (!fs.existsSync(p) || fs.statSync(p).size === 0) problems.push(`the installed extension lacks ${f}`);
  }
  const wasm = path.join(installedDir, 'dist/xmllint.wasm');
  if (fs.existsSync(wasm) && fs.readFileSync(wasm).subarray(0, 4).toString('hex') !== '0061736d') problems.push('dist/xmllint.wasm is not a WebAssembly module');
  for (const stray of ['src', 'test', 'node_modules', 'out', '.cs']) {
    if (fs.existsSync(path.join(installedDir, stray))) problems.push(`the package ships ${stray}/ (.vscodeignore should leave it out)`);
  }
  return { id, installedDir, problems };
}
