/**
 * The manifest against the code: every contributed command has a handler definition and every handler is
 * contributed; menus and welcome views name only contributed commands; every `viewItem` in a `when` clause names
 * a contextValue the tree produces. The registry imports vscode, so handler ids are read from the command sources
 * (`id: 'qq2clone.…'` in src/extension/commands/**); the extension-host suite checks the registered commands at run time.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SET_OPERATIONS } from '../../src/core/operations';
import { ALL_CONTEXT_VALUES } from '../../src/extension/tree/presentation';
import { RUNTIME_FILES } from '../harness/vsix';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  version: string;
  main: string;
  icon?: string;
  categories?: string[];
  keywords?: string[];
  repository?: unknown;
  bugs?: unknown;
  homepage?: unknown;
  bin: Record<string, string>;
  contributes: {
    viewsContainers: Record<string, { icon: string }[]>;
    views: Record<string, { icon?: string }[]>;
    languages: { configuration?: string }[];
    grammars: { path: string }[];
    walkthroughs: { steps: { media: { markdown?: string; image?: string } }[] }[];
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

/** The categories the Marketplace offers (those vsce accepts). */
const MARKETPLACE_CATEGORIES = [
  'AI', 'Azure', 'Chat', 'Data Science', 'Debuggers', 'Education', 'Extension Packs', 'Formatters', 'Keymaps',
  'Language Packs', 'Linters', 'Machine Learning', 'Notebooks', 'Other', 'Programming Languages', 'SCM Providers',
  'Snippets', 'Testing', 'Themes', 'Visualization',
];

/** Width and height of a PNG file, from its IHDR chunk; undefined when the file is not a PNG. */
function pngSize(file: string): { width: number; height: number } | undefined {
  const b = fs.readFileSync(file);
  if (b.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a' || b.subarray(12, 16).toString('ascii') !== 'IHDR') return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** The files the installed extension reads, shows or ships by name: the manifest's, the walkthrough's, the bundles'. */
function neededFiles(): Set<string> {
  const c = pkg.contributes;
  const named = [
    'package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'ThirdPartyNotices.txt', pkg.main, pkg.icon ?? '', ...Object.values(pkg.bin),
    ...Object.values(c.viewsContainers).flat().map((v) => v.icon),
    ...Object.values(c.views).flat().flatMap((v) => (v.icon ? [v.icon] : [])),
    ...c.languages.flatMap((l) => (l.configuration ? [l.configuration] : [])),
    ...c.grammars.map((g) => g.path),
    ...RUNTIME_FILES,
    // The CLI's modules: main.mjs and the chunks of its command groups (the build empties dist/cli/ first).
    ...(fs.existsSync(path.join(root, 'dist/cli')) ? fs.readdirSync(path.join(root, 'dist/cli')).filter((f) => f.endsWith('.mjs')).map((f) => `dist/cli/${f}`) : []),
  ];
  const media = c.walkthroughs.flatMap((w) => w.steps).flatMap((s) => [s.media.markdown, s.media.image]).filter((m): m is string => !!m);
  // Pictures the walkthrough's markdown shows, relative to it.
  const pictures = media
    .filter((m) => m.endsWith('.md'))
    .flatMap((m) => [...fs.readFileSync(path.join(root, m), 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((x) => path.join(path.dirname(m), x[1]!)));
  return new Set([...named, ...media, ...pictures].map((f) => path.normalize(f)));
}

describe('package.json as the Marketplace shows it', () => {
  it('has a square PNG icon of 128 or 256 pixels', () => {
    assert.ok(pkg.icon, 'no icon');
    const size = pngSize(path.join(root, pkg.icon));
    assert.ok(size, `${pkg.icon} is not a PNG`);
    assert.ok(size.width === size.height && [128, 256].includes(size.width), `${pkg.icon} is ${size.width}x${size.height}`);
  });

  it('has Marketplace categories and keywords', () => {
    assert.ok(pkg.categories?.length, 'no categories');
    assert.deepEqual(pkg.categories.filter((c) => !MARKETPLACE_CATEGORIES.includes(c)), []);
    assert.ok(pkg.keywords && pkg.keywords.length >= 5 && pkg.keywords.length <= 30, 'between 5 and 30 keywords (vsce refuses more than 30)');
    for (const word of ['qemu', 'kvm', 'libvirt']) assert.ok(pkg.keywords.includes(word), `keyword ${word} missing`);
  });

  it('names no made-up address (repository, bugs, homepage)', () => {
    for (const field of [pkg.repository, pkg.bugs, pkg.homepage]) {
      assert.doesNotMatch(JSON.stringify(field ?? ''), /\.invalid\b|example\.(com|org|net)/);
    }
  });

  it("has a CHANGELOG.md with a section for the manifest's version", () => {
    const log = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
    assert.match(log, new RegExp(`^## ${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('vsce ls lists only what the package needs, and everything it needs that exists', function () {
    this.timeout(120_000);
    const vsce = path.join(root, 'node_modules/.bin/vsce');
    const listed = new Set(
      execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .map((f) => path.normalize(f)),
    );
    const needed = neededFiles();
    assert.deepEqual([...listed].filter((f) => !needed.has(f)).sort(), [], 'listed but not needed');
    // Built files (dist/, the notices) exist only after a build; the committed ones always.
    assert.deepEqual([...needed].filter((f) => fs.existsSync(path.join(root, f)) && !listed.has(f)).sort(), [], 'needed but not listed');
    for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', pkg.icon!]) assert.ok(listed.has(f), `${f} is not packaged`);
  });
});
