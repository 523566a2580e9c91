/**
 * The manifest against the code: every contributed command has a handler definition and every handler is
 * contributed; menus and welcome views name only contributed commands; every `viewItem` in a `when` clause names
 * a contextValue the tree produces. The registry imports vscode, so handler ids are read from the command sources
 * (`id: 'qq2clone.…'` in src/extension/commands/**); the extension-host suite checks the registered commands at run time.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SET_OPERATIONS } from '../../src/core/operations';
import { ALL_CONTEXT_VALUES } from '../../src/extension/tree/presentation';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string; title: string }[];
    menus: Record<string, { command?: string; when?: string }[]>;
    viewsWelcome: { contents: string; when?: string }[];
  };
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

// The commands written one per file, and those built from the table of SET operations (setOperationCommands.ts).
const handlerIds = new Set([
  ...sources(path.join(root, 'src/extension/commands')).flatMap((f) =>
    [...fs.readFileSync(f, 'utf8').matchAll(/\bid:\s*'(qq2clone\.[A-Za-z0-9.]+)'/g)].map((m) => m[1]!),
  ),
  ...SET_OPERATIONS.map((o) => o.command),
]);
const contributed = new Set(pkg.contributes.commands.map((c) => c.command));

/** The contextValues a `when` clause compares viewItem with; regexes are checked against the real values. */
function viewItemProblems(when: string): string[] {
  const problems: string[] = [];
  for (const m of when.matchAll(/viewItem\s*(==|!=)\s*'?([A-Za-z0-9_-]+)'?/g)) {
    if (!ALL_CONTEXT_VALUES.includes(m[2]!)) problems.push(`unknown contextValue '${m[2]}'`);
  }
  for (const m of when.matchAll(/viewItem\s*=~\s*\/(.+?)\/([a-z]*)(?=\s|$|\))/g)) {
    const re = new RegExp(m[1]!, m[2]);
    if (!ALL_CONTEXT_VALUES.some((v) => re.test(v))) problems.push(`/${m[1]}/ matches no contextValue`);
    const alternatives = /^\^\(([A-Za-z0-9_|-]+)\)\$$/.exec(m[1]!);
    for (const a of alternatives ? alternatives[1]!.split('|') : []) {
      if (!ALL_CONTEXT_VALUES.includes(a)) problems.push(`unknown contextValue '${a}' in /${m[1]}/`);
    }
  }
  return problems;
}

describe('package.json against the code', () => {
  it('every contributed command has a handler', () => {
    assert.deepEqual([...contributed].filter((id) => !handlerIds.has(id)), []);
  });

  it('every handler is contributed', () => {
    assert.deepEqual([...handlerIds].filter((id) => !contributed.has(id)), []);
  });

  it('menus name contributed commands and real contextValues', () => {
    const problems: string[] = [];
    for (const [menu, items] of Object.entries(pkg.contributes.menus)) {
      for (const item of items) {
        if (item.command && !contributed.has(item.command)) problems.push(`${menu}: unknown command ${item.command}`);
        for (const p of viewItemProblems(item.when ?? '')) problems.push(`${menu} ${item.command}: ${p}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the check itself catches a wrong contextValue', () => {
    assert.deepEqual(viewItemProblems('viewItem == runingClone'), ["unknown contextValue 'runingClone'"]);
    assert.equal(viewItemProblems('viewItem =~ /^(runningClone|nope)$/').length, 1);
    assert.deepEqual(viewItemProblems('view == qq2clone.templates && viewItem =~ /^(runningClone|savedClone)$/'), []);
  });

  it('welcome views link only contributed commands', () => {
    const links = pkg.contributes.viewsWelcome.flatMap((w) =>
      [...w.contents.matchAll(/\(command:(qq2clone\.[A-Za-z0-9.]+)/g)].map((m) => m[1]!),
    );
    assert.deepEqual(links.filter((id) => !contributed.has(id)), []);
  });
});
