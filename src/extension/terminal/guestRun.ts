/**
 * Run in Guests' terminal: a pseudoterminal the extension writes into (the commands run inside the guests through
 * the guest agent, not in a local process). Each clone's output comes under a header as it finishes; closing the
 * terminal cancels what has not finished.
 */
import * as vscode from 'vscode';
import type { GuestRunOutcome } from '../../libvirt/guests';
import { execStatusText } from '../../libvirt/guests';

const BOLD = '\x1b[1m';
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const RESET = '\x1b[0m';

/** Terminal text for the pty: LF as CRLF. */
export function ptyText(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** The block a finished clone gets: a header with its status, then stdout and stderr (stderr in red). */
export function outcomeBlock(o: GuestRunOutcome): string {
  const who = `${o.clone.id} (${o.clone.name})`;
  if (o.kind === 'skipped') return `${YELLOW}== ${who}: skipped: ${o.reason}${RESET}\n`;
  if (o.kind === 'error') return `${RED}== ${who}: could not run: ${o.error.message}${RESET}\n`;
  const s = o.status;
  const bad = s.exitCode !== 0 || s.signal !== undefined;
  const head = `${BOLD}${bad ? RED : ''}== ${who}: ${execStatusText(s)} (${(o.ms / 1000).toFixed(1)} s)${s.truncated ? ', output truncated by the agent' : ''}${RESET}\n`;
  const out = s.stdout && !s.stdout.endsWith('\n') ? `${s.stdout}\n` : s.stdout;
  const err = s.stderr ? `${RED}${s.stderr}${s.stderr.endsWith('\n') ? '' : '\n'}${RESET}` : '';
  return head + out + err;
}

export class GuestRunTerminal {
  readonly terminal: vscode.Terminal;
  private readonly emitter = new vscode.EventEmitter<string>();
  private readonly pending: string[] = [];
  private opened = false;
  /** Aborted when the user closes the terminal. */
  readonly closed = new AbortController();
  /** Everything written (tests read it). */
  text = '';

  constructor(name: string) {
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.emitter.event,
      open: () => {
        this.opened = true;
        for (const p of this.pending.splice(0)) this.emitter.fire(p);
      },
      close: () => this.closed.abort(),
      handleInput: (data) => {
        if (data === '\x03') this.closed.abort();
      },
    };
    this.terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('run-all'), isTransient: true });
  }

  write(text: string): void {
    this.text += text;
    const t = ptyText(text);
    if (this.opened) this.emitter.fire(t);
    else this.pending.push(t);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
