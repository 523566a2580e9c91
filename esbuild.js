// Bundles the extension and the CLI (shape of vscode-extension-samples' esbuild-sample).
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');
const { writeNotices } = require('./scripts/notices');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the format of VS Code's $esbuild-watch problem matcher. */
const esbuildProblemMatcherPlugin = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/** Packages whose files are copied into dist/ rather than bundled (their notices are due all the same). */
const COPIED_PACKAGES = ['node_modules/xmllint-wasm'];

/**
 * xmllint-wasm loads xmllint-node.js and xmllint.wasm from its own __dirname at run time; esbuild does not
 * follow that, so both are copied next to the bundles (dist/), where the bundled index.js looks for them.
 */
const copyXmllintPlugin = {
  name: 'copy-xmllint',
  setup(build) {
    build.onEnd(() => {
      const from = path.dirname(require.resolve('xmllint-wasm/package.json'));
      fs.mkdirSync('dist', { recursive: true });
      for (const f of ['xmllint-node.js', 'xmllint.wasm']) fs.copyFileSync(path.join(from, f), path.join('dist', f));
      // The libguestfs helper (run by /usr/bin/python3 from src/libvirt/disks/client.ts) ships next to the bundles.
      fs.copyFileSync(path.join('src', 'libvirt', 'disks', 'helper.py'), path.join('dist', 'guestfs-helper.py'));
    });
  },
};

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  metafile: true,
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'silent',
  plugins: [esbuildProblemMatcherPlugin, copyXmllintPlugin],
};

const targets = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The qemu hook's worker: `hook install` copies it next to the hook, so it runs without VS Code or this folder.
  { ...common, entryPoints: ['src/libvirt/policy/worker.ts'], outfile: 'dist/hook-worker.js', sourcemap: false },
  // The usage panel's webview script, with uPlot and its CSS (dist/usage-panel.css): runs in the browser, offline.
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    sourcemap: false,
    minify: true,
    entryPoints: { 'usage-panel': 'src/extension/panel/webview/main.ts' },
    outdir: 'dist',
    plugins: [esbuildProblemMatcherPlugin],
  },
  // The extension-host test suite (runner-agnostic run()), bundled with mocha so that the host needs nothing else.
  ...(production ? [] : [{ ...common, entryPoints: ['test/suite/index.ts'], outfile: 'out/test/suite/index.js' }]),
];

/** What the .vsix ships (dist/): every target but the test suite's. */
const shipped = (t) => !String(t.outfile ?? '').startsWith('out/');

async function main() {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  const results = await Promise.allSettled(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) {
    for (const f of failed) console.error(String(f.reason && f.reason.message ? f.reason.message : f.reason));
    process.exit(1);
  }
  fs.chmodSync('dist/cli.js', 0o755);
  // The third-party notices of what ships, from the bundles' real inputs (esbuild's metafiles).
  const metafiles = results.filter((r, i) => shipped(targets[i])).map((r) => r.value.metafile);
  writeNotices(__dirname, metafiles, COPIED_PACKAGES, path.join(__dirname, 'ThirdPartyNotices.txt'));
}

module.exports = { shippedTargets: targets.filter(shipped), COPIED_PACKAGES };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
