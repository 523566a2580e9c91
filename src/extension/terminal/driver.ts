/**
 * The exec driver: a bash program, run as `bash -c DRIVER qq2clone-exec RECORDS SUMMARY TOTAL` in a terminal's pty,
 * that runs the manual's `exec` command string once per clone. Nothing about a clone is ever spliced into code:
 * the command string comes in $QQ2CLONE_EXEC_COMMAND and is eval'd (as the manual says) in a subshell where
 * `uuid`, `name` and `disks` are exported; the per-clone values come from RECORDS, a file of NUL-terminated
 * fields (number, name, uuid, disks) read on fd 3 so that the command keeps the terminal as its stdin.
 * A non-zero status stops the sequence. SUMMARY receives "ran total status" when the driver is done. The
 * driver's own arguments are cleared before the command runs: "$1" in a command is empty, as in qq2clone.
 * Pure module (no vscode): the exec terminals and the tests use it.
 */
import * as fs from 'node:fs';

/** What the driver needs of a clone. */
export interface ExecRecord {
  readonly id: number;
  readonly name: string;
  readonly uuid: string;
  /** Disk paths, in device order (joined with newlines into $disks). */
  readonly disks: readonly string[];
}

/** What a driver run reports in its summary file. */
export interface DriverSummary {
  /** How many clones were started (the failed one included). */
  readonly ran: number;
  readonly total: number;
  /** 0 when every clone's run exited 0; else the failed run's status (130 after Ctrl+C). */
  readonly status: number;
}

export const DRIVER_SCRIPT = String.raw`
qq2clone_cmd=$QQ2CLONE_EXEC_COMMAND
qq2clone_wait=$QQ2CLONE_EXEC_WAIT
unset QQ2CLONE_EXEC_COMMAND QQ2CLONE_EXEC_WAIT
qq2clone_records=$1 qq2clone_summary=$2 qq2clone_total=$3 qq2clone_ran=0 qq2clone_status=0 qq2clone_ok=0
set --
qq2clone_b=$'\e[1m' qq2clone_r=$'\e[31m' qq2clone_g=$'\e[32m' qq2clone_0=$'\e[0m'
trap 'qq2clone_int=1' INT
while IFS= read -r -d '' -u 3 qq2clone_id && IFS= read -r -d '' -u 3 name &&
  IFS= read -r -d '' -u 3 uuid && IFS= read -r -d '' -u 3 disks; do
  qq2clone_ran=$((qq2clone_ran + 1))
  printf '%s=== [%d/%d] clone %s: %s (%s)%s\n' "$qq2clone_b" "$qq2clone_ran" "$qq2clone_total" \
    "$qq2clone_id" "$name" "$uuid" "$qq2clone_0"
  ( trap - INT; export uuid name disks; exec 3<&-; eval "$qq2clone_cmd" )
  qq2clone_status=$?
  if [ "$qq2clone_status" -ne 0 ]; then
    printf '%s%s=== clone %s: %s failed with exit status %d%s\n' "$qq2clone_b" "$qq2clone_r" "$qq2clone_id" \
      "$name" "$qq2clone_status" "$qq2clone_0"
    break
  fi
  qq2clone_ok=$((qq2clone_ok + 1))
done 3< "$qq2clone_records"
if [ "$qq2clone_status" -eq 0 ]; then
  printf '\n%s%s=== exec done: %d of %d clones, every run exited 0%s\n' "$qq2clone_b" "$qq2clone_g" \
    "$qq2clone_ok" "$qq2clone_total" "$qq2clone_0"
else
  printf '\n%s%s=== exec stopped: %d succeeded, 1 failed (status %d), %d not run%s\n' "$qq2clone_b" "$qq2clone_r" \
    "$qq2clone_ok" "$qq2clone_status" "$((qq2clone_total - qq2clone_ran))" "$qq2clone_0"
fi
printf '%d %d %d\n' "$qq2clone_ran" "$qq2clone_total" "$qq2clone_status" > "$qq2clone_summary.part" && mv -f "$qq2clone_summary.part" "$qq2clone_summary"
if [ -n "$qq2clone_wait" ]; then
  printf 'Press any key to close this terminal.'
  IFS= read -r -s -n 1 || :
fi
exit "$qq2clone_status"
`;

/**
 * The command line for one driver run (bash's own startup files are not read: the command runs in a clean bash).
 * `command` is passed in the environment, never in the arguments.
 */
export function driverInvocation(
  recordsFile: string,
  summaryFile: string,
  total: number,
  command: string,
  wait: boolean,
): { shellPath: string; shellArgs: string[]; env: Record<string, string> } {
  return {
    shellPath: 'bash',
    shellArgs: ['--norc', '--noprofile', '-c', DRIVER_SCRIPT, 'qq2clone-exec', recordsFile, summaryFile, String(total)],
    env: {
      QQ2CLONE_EXEC_COMMAND: command,
      QQ2CLONE_EXEC_WAIT: wait ? '1' : '',
    },
  };
}

/** The records file's bytes: four NUL-terminated fields per clone. Throws on a NUL inside a value. */
export function encodeRecords(records: readonly ExecRecord[]): Buffer {
  const fields: string[] = [];
  for (const r of records) {
    const values = [String(r.id), r.name, r.uuid, r.disks.join('\n')];
    if (values.some((v) => v.includes('\0'))) throw new Error(`clone ${r.name}: a value contains a NUL byte`);
    fields.push(...values);
  }
  return Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
}

/** Writes the records file (mode 0600). */
export function writeRecords(file: string, records: readonly ExecRecord[]): void {
  fs.writeFileSync(file, encodeRecords(records), { mode: 0o600 });
}

/** Reads a summary file; undefined while it does not exist yet. */
export function readSummary(file: string): DriverSummary | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^(\d+) (\d+) (\d+)\n$/.exec(text);
  if (!m) return undefined;
  return { ran: Number(m[1]), total: Number(m[2]), status: Number(m[3]) };
}
