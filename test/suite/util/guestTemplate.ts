/**
 * A template of the real test guest for the extension host. The guest's image is found (or built) by
 * test/guest run under tsx from the repository: its recipe hash reads the recipe's source files, which the bundled
 * suite does not carry.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TestBed } from '../../testbed';
import { EXTENSION_ID } from './extension';

export interface GuestFiles {
  readonly clientKey: string;
  readonly hostKeyPub: string;
}

/** Writes the template into `templateDir` (its disk a copy of the guest's root image inside the bed). */
export function guestTemplate(
  bed: TestBed,
  templateDir: string,
  shortName: string,
  opts: { vnc?: boolean } = {},
): { name: string; xmlPath: string; disk: string; guest: GuestFiles } {
  const repo = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  const script = `
    const { TestBed } = require('./test/testbed');
    const { ensureGuest } = require('./test/guest');
    const bed = Object.assign(Object.create(TestBed.prototype), { prefix: process.argv[1], root: process.argv[2] });
    const t = bed.makeGuestTemplate(process.argv[3], process.argv[4], JSON.parse(process.argv[5]));
    const g = ensureGuest();
    console.log(JSON.stringify({ ...t, guest: { clientKey: g.clientKey, hostKeyPub: g.hostKeyPub } }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, bed.prefix, bed.root, templateDir, shortName, JSON.stringify(opts)], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  if (r.status !== 0) throw new Error(`could not make the guest template: ${r.stderr}`);
  const made = JSON.parse(r.stdout.trim().split('\n').pop()!) as ReturnType<typeof guestTemplate>;
  if (path.dirname(made.xmlPath) !== templateDir) throw new Error(`template written to ${made.xmlPath}`);
  return made;
}
