/**
 * How `npm start` lets people into code-server: with a password by default, kept in a file only the user can read
 * (`$XDG_CONFIG_HOME/qq2clone/code-server-password`, else `~/.config/qq2clone/...`; mode 0600, in a 0700 directory)
 * and reused by the next start, so a bookmarked login keeps working. QQ2CLONE_START_AUTH=none turns it off, for
 * those who put something else in front of it.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CodeServerAuth } from './codeServer';

export interface StartAuth {
  readonly auth: CodeServerAuth;
  /** The password file (absent with QQ2CLONE_START_AUTH=none). */
  readonly file?: string;
  /** What to print next to the URL. */
  readonly note: string;
}

/** The password file's place for this environment. */
export function passwordFile(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME?.trim() || path.join(env.HOME?.trim() || os.homedir(), '.config');
  return path.join(config, 'qq2clone', 'code-server-password');
}

/**
 * The password in `file`, made (random, 24 bytes) when there is none. The file must be a regular file of this user
 * that no one else can read or write; one that is not is refused with what to do, never used.
 */
export function ensurePassword(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readPassword(file);
  }
  try {
    const password = randomBytes(24).toString('base64url');
    fs.writeSync(fd, `${password}\n`);
    fs.fchmodSync(fd, 0o600);
    return password;
  } finally {
    fs.closeSync(fd);
  }
}

function readPassword(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const st = fs.fstatSync(fd);
    const uid = process.getuid?.();
    const problem = !st.isFile()
      ? 'it is not a regular file'
      : uid !== undefined && st.uid !== uid
        ? `it belongs to uid ${st.uid}, not to you`
        : st.mode & 0o077
          ? `others may read or change it (mode ${(st.mode & 0o777).toString(8)})`
          : undefined;
    if (problem) throw new Error(`${file}: ${problem}. Delete it (npm start then makes a new password), or make it yours with chmod 600.`);
    const password = fs.readFileSync(fd, 'utf8').trim();
    if (!password) throw new Error(`${file} is empty. Delete it: npm start then makes a new password.`);
    return password;
  } finally {
    fs.closeSync(fd);
  }
}

/** The authentication npm start uses, from QQ2CLONE_START_AUTH (unset or "password": a password; "none": none). */
export function startAuth(env: NodeJS.ProcessEnv = process.env): StartAuth {
  const mode = (env.QQ2CLONE_START_AUTH ?? '').trim() || 'password';
  if (mode === 'none') {
    return {
      auth: 'none',
      note: 'QQ2CLONE_START_AUTH=none: no password. Anyone who can reach this port (every account on this machine, any web page you open that reaches 127.0.0.1) gets this workbench and its terminals.',
    };
  }
  if (mode !== 'password') throw new Error(`QQ2CLONE_START_AUTH=${mode}: use "password" (the default) or "none".`);
  const file = passwordFile(env);
  const password = ensurePassword(file);
  return { auth: { password }, file, note: `Password: ${password}\n  (kept in ${file}, readable by you only; delete it for a new one)` };
}
