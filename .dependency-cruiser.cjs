/**
 * The module graph's rules, checked by `npm run deps` (part of the unit tier): no import cycles anywhere in src/,
 * and the layers' directions (see docs/ARCHITECTURE.md). Type-only imports count: a cycle of types is still a knot.
 */
module.exports = {
  forbidden: [
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
