/**
 * The line editor settings of every virsh session. virsh reads session lines through readline, which otherwise
 * reads $INPUTRC, ~/.inputrc or /etc/inputrc: the user's key bindings would edit our lines, and whether a byte
 * >= 0x80 is inserted as itself, read as a Meta key, or echoed as an octal escape (`caf\303\251`) would depend on
 * them. Sessions run with INPUTRC naming this file, written once per process in a directory only we can enter.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** 8-bit clean: bytes >= 0x80 are inserted and echoed as themselves; no bracketed-paste sequences around the echo. */
export const SESSION_INPUTRC = [
  'set editing-mode emacs',
  'set input-meta on',
  'set output-meta on',
  'set convert-meta off',
  'set enable-bracketed-paste off',
  'set horizontal-scroll-mode off',
  '',
].join('\n');

let written: string | undefined;

/**
 * The path of the sessions' inputrc (written on first use, removed when the process exits). When it cannot be
 * written, /dev/null: readline's own defaults then, never the user's files (the session reads either echo).
 */
export function sessionInputrc(): string {
  if (written && fs.existsSync(written)) return written;
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-virsh-'));
    const file = path.join(dir, 'inputrc');
    fs.writeFileSync(file, SESSION_INPUTRC, { mode: 0o600, flag: 'wx' });
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    written = file;
    return file;
  } catch {
    return '/dev/null';
  }
}

/** How readline echoes `line` when output-meta is off: each byte >= 0x80 as a backslash and three octal digits. */
export function metaEscapedEcho(line: string): string {
  return [...Buffer.from(line, 'utf8')].map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`)).join('');
}
