/**
 * The module graph's rules, checked by `npm run deps` (part of the unit tier): no import cycles anywhere in src/,
 * and the layers' directions (see docs/ARCHITECTURE.md). Type-only imports count: a cycle of types is still a knot.
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      comment: 'src/core is pure: it knows nothing of the service or the front ends.',
      from: { path: '^src/core/' },
      to: { path: '^src/(libvirt|cli|extension)/' },
    },
    {
      name: 'service-below-front-ends',
      severity: 'error',
      comment: 'src/libvirt serves both front ends and knows neither.',
      from: { path: '^src/libvirt/' },
      to: { path: '^src/(cli|extension)/' },
    },
    {
      name: 'front-ends-apart',
      severity: 'error',
      comment: 'The CLI and the extension share the service and core, never each other.',
      from: { path: '^src/cli/' },
      to: { path: '^src/extension/' },
    },
    {
      name: 'extension-apart-from-cli',
      severity: 'error',
      comment: 'The CLI and the extension share the service and core, never each other.',
      from: { path: '^src/extension/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'commands-on-top',
      severity: 'error',
      comment: 'Commands use the views and prompts; nothing but the entry point and the registry imports a command.',
      from: { path: '^src/extension/', pathNot: '^src/extension/(commands/|extension\\.ts$)' },
      to: { path: '^src/extension/commands/' },
    },
    {
      name: 'prompts-below-views',
      severity: 'error',
      comment: 'ui/ holds prompts, progress and status widgets; the views (tree, panel, documents) use them, not the reverse.',
      from: { path: '^src/extension/ui/' },
      to: { path: '^src/extension/(tree|panel|xml|disks|terminal|policy|status)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: modules that need each other cannot be read, tested or moved one at a time.',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|out|node_modules)/' },
  },
};
