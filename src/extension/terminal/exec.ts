/**
 * exec in integrated terminals: the driver (driver.ts) runs in a real pty, so interactive commands work. Sequential
 * mode: one terminal, the clones in the given order, stopping at the first non-zero status. Parallel mode: one
 * terminal per clone, named after it. Each run's records and summary live in a private temporary directory that
 * is removed when the run has reported or its terminal was closed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { driverInvocation, readSummary, writeRecords, type DriverSummary, type ExecRecord } from './driver';

/** How one terminal's run ended. */
export interface ExecReport {
  readonly terminal: vscode.Terminal;
  readonly records: readonly ExecRecord[];
  /** Undefined when the terminal was closed before the driver finished. */
  readonly summary: DriverSummary | undefined;
  /** The clone whose run exited non-zero (sequential mode stops there). */
  readonly failed: ExecRecord | undefined;
}

export interface ExecSession {
  readonly terminals: readonly vscode.Terminal[];
  /** Resolves when every terminal's driver has written its summary or its terminal was closed. */
  readonly done: Promise<ExecReport[]>;
}

export interface ExecTerminalOptions {
  /** One terminal per clone, all at once. */
  readonly parallel?: boolean;
  /** Keep each terminal open after its run until a key is pressed (default true). */
  readonly waitForKey?: boolean;
  /** Working directory of the runs (default: the first workspace folder, else the home directory). */
  readonly cwd?: string;
  /** The connection URI, as LIBVIRT_DEFAULT_URI, so `virsh console "$uuid"` reaches the same libvirt. */
  readonly uri?: string;
}

const POLL_MS = 150;

/** Starts exec for these clones (already in clone-number order) and shows the (first) terminal. */
export function startExec(records: readonly ExecRecord[], command: string, options: ExecTerminalOptions = {}): ExecSession {
  const groups = options.parallel ? records.map((r) => [r]) : [records];
  const runs = groups.map((group) =>
    startOne(group, command, options, options.parallel ? group[0]!.name : `exec (${group.length} clones)`),
  );
  runs[0]?.terminal.show(false);
  return { terminals: runs.map((r) => r.terminal), done: Promise.all(runs.map((r) => r.done)) };
}

function startOne(
  records: readonly ExecRecord[],
  command: string,
  options: ExecTerminalOptions,
  title: string,
): { terminal: vscode.Terminal; done: Promise<ExecReport> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-exec-'));
  const recordsFile = path.join(dir, 'records');
  const summaryFile = path.join(dir, 'summary');
  writeRecords(recordsFile, records);
  const inv = driverInvocation(recordsFile, summaryFile, records.length, command, options.waitForKey ?? true);
  const terminal = vscode.window.createTerminal({
    name: `qq2clone: ${title}`,
    shellPath: inv.shellPath,
    shellArgs: inv.shellArgs,
    env: { ...inv.env, ...(options.uri ? { LIBVIRT_DEFAULT_URI: options.uri } : {}) },
    cwd: options.cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir(),
    iconPath: new vscode.ThemeIcon('run-all'),
    isTransient: true,
  });
  const done = new Promise<ExecReport>((resolve) => {
    let finished = false;
    const finish = (summary: DriverSummary | undefined): void => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      closed.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
      const failed = summary && summary.status !== 0 ? records[summary.ran - 1] : undefined;
      resolve({ terminal, records, summary, failed });
    };
    const timer = setInterval(() => {
      const s = readSummary(summaryFile);
      if (s) finish(s);
    }, POLL_MS);
    const closed = vscode.window.onDidCloseTerminal((t) => {
      if (t === terminal) finish(readSummary(summaryFile));
    });
  });
  return { terminal, done };
}

/** One line for a notification: how a session went. */
export function describeReports(reports: readonly ExecReport[]): { ok: boolean; message: string } {
  const total = reports.reduce((n, r) => n + r.records.length, 0);
  const failed = reports.filter((r) => r.failed);
  const unfinished = reports.filter((r) => !r.summary);
  const succeeded = reports.reduce((n, r) => n + (r.summary ? r.summary.ran - (r.failed ? 1 : 0) : 0), 0);
  const parts: string[] = [];
  for (const r of failed.slice(0, 3)) parts.push(`clone ${r.failed!.id} (${r.failed!.name}) exited with status ${r.summary!.status}`);
  if (failed.length > 3) parts.push(`and ${failed.length - 3} more failed`);
  if (unfinished.length) parts.push(`${unfinished.length} terminal${unfinished.length === 1 ? '' : 's'} closed before finishing`);
  const notRun = total - succeeded - failed.length - unfinished.reduce((n, r) => n + r.records.length, 0);
  if (parts.length === 0) return { ok: true, message: `exec: ${succeeded} of ${total} clones, every run exited 0.` };
  return {
    ok: false,
    message: `exec: ${parts.join('; ')}; ${succeeded} of ${total} succeeded${notRun > 0 ? `, ${notRun} not run` : ''}.`,
  };
}
