/**
 * execa is ESM-only; loaded with a dynamic import so that the CommonJS test runner (mocha + tsx) can load this
 * module too (a static import makes tsx rewrite execa's dependencies into require() calls that fail).
 * esbuild bundles it either way.
 */
type ExecaModule = typeof import('execa');

let loading: Promise<ExecaModule> | undefined;

export function loadExeca(): Promise<ExecaModule> {
  loading ??= import('execa');
  return loading;
}
