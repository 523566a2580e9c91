/**
 * The hook's record of what its worker may touch (trust.ts): the storage and template folders of the users who
 * installed it, written by `hook install` into the hook's state folder, read by the worker. When the worker runs as
 * root, the record counts only if root owns it and its folder and nobody else may write them.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { PolicyTrust } from './trust';

export const TRUST_FILE = 'trust.json';

function unique(a: readonly string[]): string[] {
  return [...new Set(a.map((d) => path.resolve(d)))];
}

/** Reads the record; a PolicyTrust with `problem` set (and nothing trusted) when it is missing or not safe. */
export async function readTrust(stateDir: string): Promise<PolicyTrust> {
  const file = path.join(stateDir, TRUST_FILE);
  const none = (problem: string): PolicyTrust => ({ storage: [], templateDirs: [], problem });
  try {
    if (process.geteuid?.() === 0) {
      for (const p of [stateDir, file]) {
        const st = await fs.lstat(p);
        if (st.isSymbolicLink() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
          return none(`${p} is not root's alone (owner ${st.uid}, mode ${(st.mode & 0o7777).toString(8)}): the hook's record of trusted folders is ignored; run sudo qq2clone hook install again`);
        }
      }
    }
    const j = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Record<'storage' | 'templateDirs', unknown>>;
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && path.isAbsolute(x)) : []);
    return { storage: list(j.storage), templateDirs: list(j.templateDirs) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return none(code === 'ENOENT' ? `The hook has no record of trusted folders (${file}): run sudo qq2clone hook install again` : `The hook's record of trusted folders ${file} cannot be read: ${(e as Error).message}`);
  }
}

/** Adds folders to the record (those of earlier installs stay), written atomically, readable by everyone. */
export async function recordTrust(stateDir: string, add: PolicyTrust): Promise<PolicyTrust> {
  const old = await readTrust(stateDir);
  const next: PolicyTrust = { storage: unique([...old.storage, ...add.storage]), templateDirs: unique([...old.templateDirs, ...add.templateDirs]) };
  const file = path.join(stateDir, TRUST_FILE);
  await fs.writeFile(`${file}.part`, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o644 });
  await fs.rename(`${file}.part`, file);
  return next;
}
