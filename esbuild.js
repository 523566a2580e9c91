// Bundles the extension and the CLI (shape of vscode-extension-samples' esbuild-sample).
const esbuild = require('esbuild');
const fs = require('node:fs');
const Module = require('node:module');
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

/**
 * The CLI's commands as the source defines them (name, usage, summary, group, in -h order): the source is bundled
 * and run here, once per build, and the list replaces src/cli/commands/builtManifest.ts in the built CLI, so that
 * -h and the choice of a command's group load no command code.
 */
const cliManifestPlugin = {
  name: 'cli-manifest',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]cli[\\/]commands[\\/]builtManifest\.ts$/ }, async () => {
      const probe = await esbuild.build({
        stdin: { contents: "export { computeCliManifest } from './src/cli/commands/manifest';", resolveDir: __dirname, loader: 'ts' },
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        write: false,
        logLevel: 'silent',
      });
      const file = path.join(__dirname, 'dist', 'cli-manifest-probe.js');
      const m = new Module(file);
      m.filename = file;
      m.paths = Module._nodeModulePaths(__dirname);
      m._compile(probe.outputFiles[0].text, file);
      const manifest = await m.exports.computeCliManifest();
      return { contents: `export const BUILT_MANIFEST = ${JSON.stringify(manifest)};\n`, loader: 'ts' };
    });
  },
};

/**
 * noVNC 1.7.0 probes H.264 decoding with a top-level await (core/util/browser.js), which an IIFE bundle cannot hold:
 * the probe's result is assigned when it resolves instead (the export is a live binding that only the H.264 decoder
 * reads, long after the page has loaded). Fails the build when the line is not there, so a new noVNC is looked at.
 */
const novncNoTopLevelAwaitPlugin = {
  name: 'novnc-no-top-level-await',
  setup(build) {
    build.onLoad({ filter: /@novnc[\\/]novnc[\\/]core[\\/]util[\\/]browser\.js$/ }, (args) => {
      const from = 'supportsWebCodecsH264Decode = await _checkWebCodecsH264DecodeSupport();';
      const text = fs.readFileSync(args.path, 'utf8');
      if (!text.includes(from)) throw new Error(`${args.path}: the top-level await this build rewrites is gone; check the console bundle`);
      const to = '_checkWebCodecsH264DecodeSupport().then((ok) => { supportsWebCodecsH264Decode = ok; });';
      return { contents: text.replace(from, to), loader: 'js' };
    });
  },
};

/** The CLI's chunks are named by content hash: their folder is emptied before each build, so none is left stale. */
function cleanDirPlugin(dir) {
  return {
    name: 'clean-dir',
    setup(build) {
      build.onStart(() => fs.rmSync(dir, { recursive: true, force: true }));
    },
  };
}

/**
 * The CLI is ES modules (esbuild splits only those): it gets what its CommonJS code and packages expect. `require`
 * for the packages that call it; `__dirname` is dist/, where the files the code looks for beside the bundles are
 * (hook-worker.js, xmllint's files, the libguestfs helper), as for dist/extension.js.
 */
const cliEsmBanner = [
  "import { createRequire as __q2cRequire } from 'node:module';",
  "import { dirname as __q2cDirname } from 'node:path';",
  "import { fileURLToPath as __q2cPath } from 'node:url';",
  'const require = __q2cRequire(import.meta.url);',
  'const __dirname = __q2cDirname(__q2cDirname(__q2cPath(import.meta.url)));',
].join('\n');

/** noVNC (MPL-2.0, with pako, MIT) is bundled into the console page: its licence texts ship next to the bundle. */
const novncLicencePlugin = {
  name: 'novnc-licence',
  setup(build) {
    build.onEnd(() => {
      const novnc = path.join(__dirname, 'node_modules', '@novnc', 'novnc');
      const texts = ['LICENSE.txt', 'docs/LICENSE.MPL-2.0', 'vendor/pako/LICENSE'].map((f) => `==> @novnc/novnc/${f} <==\n${fs.readFileSync(path.join(novnc, f), 'utf8')}`);
      fs.mkdirSync('dist', { recursive: true });
      fs.writeFileSync(path.join('dist', 'noVNC-LICENSE.txt'), texts.join('\n'));
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

/**
 * The CLI's two builds into `dir` (dist/; a test builds it elsewhere): DIR/cli.js (the bin) starts DIR/cli/main.mjs,
 * which loads a command's group (a chunk of its own) when it runs that command.
 */
function cliTargets(dir, base = common) {
  return [
    {
      ...base,
      entryPoints: ['src/cli/bin.ts'],
      outfile: path.join(dir, 'cli.js'),
      banner: { js: '#!/usr/bin/env node' },
      // The bin reads the manifest too: which sessions to start for the command (bin.ts).
      plugins: [cliManifestPlugin, ...(base.plugins ?? [])],
    },
    {
      ...base,
      format: 'esm',
      splitting: true,
      entryPoints: { main: 'src/cli/main.ts' },
      outdir: path.join(dir, 'cli'),
      outExtension: { '.js': '.mjs' },
      chunkNames: '[name]-[hash]',
      banner: { js: cliEsmBanner },
      plugins: [cleanDirPlugin(path.join(dir, 'cli')), cliManifestPlugin, ...(base.plugins ?? [])],
    },
  ];
}

const targets = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  ...cliTargets('dist'),
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
  // The console tab's page: noVNC's RFB client over postMessage (src/extension/panel/webview/console.ts); offline.
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: false,
    minify: true,
    entryPoints: { 'console-page': 'src/extension/panel/webview/console.ts' },
    outdir: 'dist',
    banner: { js: '/* Includes noVNC (https://github.com/novnc/noVNC), MPL-2.0, and pako, MIT: see noVNC-LICENSE.txt next to this file. */' },
    plugins: [esbuildProblemMatcherPlugin, novncNoTopLevelAwaitPlugin, novncLicencePlugin],
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

module.exports = { shippedTargets: targets.filter(shipped), COPIED_PACKAGES, cliTargets };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
