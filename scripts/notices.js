// The third-party notices of what the bundles contain (ThirdPartyNotices.txt), made from esbuild's metafiles by
// esbuild.js on every build, so that the file lists exactly the npm packages the .vsix carries, each with its own
// licence text from node_modules. A package that ships no licence file gets the standard text of the licence its
// package.json declares (only those in STANDARD_TEXTS), with the author it names; any other package without a
// licence text is reported as missing, and the build stops (test/unit/third-party-notices.test.ts checks it too).
const fs = require('node:fs');
const path = require('node:path');

const STANDARD_TEXTS = {
  MIT: path.join(__dirname, 'licenses', 'MIT.txt'),
};

/** The package directory of a bundled input ("node_modules/a/node_modules/@b/c/x.js" -> "node_modules/a/node_modules/@b/c"). */
function packageDirOf(input) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, '/'));
  return m ? m[1] : undefined;
}

/** The package directories (relative to `root`) whose files are inputs of the given metafiles, plus `extraDirs`. */
function bundledPackageDirs(metafiles, extraDirs = []) {
  const dirs = new Set(extraDirs);
  for (const meta of metafiles) {
    for (const input of Object.keys(meta.inputs)) {
      const dir = packageDirOf(input);
      if (dir) dirs.add(dir);
    }
  }
  return [...dirs].sort();
}

function authorOf(pkg) {
  const a = pkg.author;
  if (!a) return undefined;
  return typeof a === 'string' ? a : [a.name, a.email && `<${a.email}>`, a.url && `(${a.url})`].filter(Boolean).join(' ');
}

/**
 * One notice per package directory: name, version, declared licence and the licence text, from the package's own
 * LICENSE/LICENCE/COPYING/NOTICE files, else the standard text of its declared licence; `text` is undefined when
 * there is neither.
 */
function noticeOf(root, dir) {
  const abs = path.join(root, dir);
  const pkg = JSON.parse(fs.readFileSync(path.join(abs, 'package.json'), 'utf8'));
  const files = fs
    .readdirSync(abs)
    .filter((f) => /^(licen[cs]e|copying|notice)([.-].*)?$/i.test(f) && fs.statSync(path.join(abs, f)).isFile())
    .sort();
  const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license && pkg.license.type) || 'UNKNOWN';
  let text = files.map((f) => fs.readFileSync(path.join(abs, f), 'utf8').trim()).join('\n\n') || undefined;
  let source = files.join(', ');
  if (!text && STANDARD_TEXTS[license] && authorOf(pkg)) {
    text = `${license} License\n\nCopyright (c) ${authorOf(pkg)}\n\n${fs.readFileSync(STANDARD_TEXTS[license], 'utf8').trim()}`;
    source = `no licence file in the package; the ${license} licence its package.json declares, with its author`;
  }
  return { name: pkg.name, version: pkg.version, license, dir, source, text };
}

/** The notices of the bundled packages and the names of those without a licence text. */
function collectNotices(root, metafiles, extraDirs = []) {
  const notices = bundledPackageDirs(metafiles, extraDirs)
    .map((dir) => noticeOf(root, dir))
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version, undefined, { numeric: true }));
  return { notices, missing: notices.filter((n) => !n.text).map((n) => `${n.name}@${n.version} (${n.dir})`) };
}

/** ThirdPartyNotices.txt's text. */
function renderNotices(productName, notices) {
  const rule = '-'.repeat(78);
  const head = [
    `${productName} bundles the following third-party software (in dist/). Each is distributed under its own`,
    'licence, reproduced below.',
    '',
    ...notices.map((n) => `  ${n.name} ${n.version} (${n.license})`),
  ];
  const bodies = notices.map((n) => [rule, `${n.name} ${n.version}`, `License: ${n.license}`, `From: ${n.source}`, '', n.text ?? '(no licence text)', ''].join('\n'));
  return `${head.join('\n')}\n\n${bodies.join('\n')}`;
}

/** Writes `file` for the given metafiles; throws, naming them, when a bundled package has no licence text. */
function writeNotices(root, metafiles, extraDirs, file) {
  const { notices, missing } = collectNotices(root, metafiles, extraDirs);
  if (missing.length) throw new Error(`no licence text found for bundled package(s): ${missing.join(', ')}; add one before packaging`);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  fs.writeFileSync(file, renderNotices(pkg.displayName || pkg.name, notices));
  return notices;
}

module.exports = { packageDirOf, bundledPackageDirs, noticeOf, collectNotices, renderNotices, writeNotices };
