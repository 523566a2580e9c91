/**
 * A model of how virsh splits an interactive line into commands and arguments (tools/vsh.c,
 * vshCommandStringGetArg, libvirt 9.0), checked against real virsh by test/fixtures/virsh/line-parser.json
 * (test/fixtures/virsh/capture-line-parser.ts): blanks separate arguments; ';' (and a line end) ends a command; an argument
 * that starts with '#' starts a comment to the end of the line; single quotes take everything literally up to the
 * next single quote (an unterminated one runs to the end); outside single quotes a backslash takes the next
 * character literally and double quotes group (an unterminated one is the error "missing \""); a backslash at the
 * end is "dangling \".
 */

export type ParsedLine = { readonly commands: string[][] } | { readonly error: string };

export function parseVirshLine(line: string): ParsedLine {
  const commands: string[][] = [];
  let cur: string[] = [];
  let p = 0;
  const end = (): void => {
    if (cur.length) commands.push(cur);
    cur = [];
  };
  for (;;) {
    while (line[p] === ' ' || line[p] === '\t' || (line[p] === '\\' && line[p + 1] === '\n')) p += line[p] === '\\' ? 2 : 1;
    if (p >= line.length) break;
    if (line[p] === ';' || line[p] === '\n') {
      p++;
      end();
      continue;
    }
    if (line[p] === '#') {
      while (p < line.length && line[p] !== '\n') p++;
      if (p < line.length) p++;
      end();
      continue;
    }
    let single = false;
    let double = false;
    let arg = '';
    while (p < line.length) {
      const c = line[p]!;
      if (!single && !double && (c === ' ' || c === '\t' || c === ';' || c === '\n')) break;
      if (!double && c === "'") {
        single = !single;
        p++;
        continue;
      }
      if (!single && c === '\\') {
        p++;
        if (p >= line.length) return { error: 'dangling \\' };
        if (line[p] === '\n') {
          p++;
          continue;
        }
      } else if (!single && c === '"') {
        double = !double;
        p++;
        continue;
      }
      arg += line[p]!;
      p++;
    }
    if (double) return { error: 'missing "' };
    cur.push(arg);
  }
  end();
  return { commands };
}

/** How `echo --shell` prints one argument (virBufferEscapeShell). */
export function virshShellQuote(arg: string): string {
  if (arg && !/[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** What `echo --shell [--] ARGS` prints in a session (arguments quoted, joined by a blank, no line end). */
export function echoShellOutput(args: readonly string[]): string {
  const rest = args.slice(1);
  const i = rest.indexOf('--');
  const words = i >= 0 ? rest.slice(i + 1) : rest.filter((a) => a !== '--shell');
  return words.map(virshShellQuote).join(' ');
}
