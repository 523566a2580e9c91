// ESLint flat config: typed rules, so floating promises are caught.
import tseslint from 'typescript-eslint';

/** Only src/libvirt/ spawns processes (virsh, qemu-img...): everything else goes through the libvirt service. */
const PROCESS_MODULES = ['child_process', 'node:child_process', 'execa'];
const processMessage = 'Only src/libvirt/ spawns processes: go through the libvirt service (src/libvirt/api.ts).';
const noProcessImports = PROCESS_MODULES.map((name) => ({ name, message: processMessage, allowTypeImports: true }));
const PROCESS_SOURCE = '/^(node:)?child_process$|^execa(\\u002F|$)/';
const noProcessLoading = [
  { selector: `ImportExpression[source.value=${PROCESS_SOURCE}]`, message: processMessage },
  { selector: `CallExpression[callee.name='require'][arguments.0.value=${PROCESS_SOURCE}]`, message: processMessage },
];
const noVscode = { name: 'vscode', message: 'core/, libvirt/ and cli/ must not load vscode.', allowTypeImports: true };

/** Clone, rm, check, staging and the power-off policies reach image files only through the image store. */
const STORE_CLIENTS = ['src/libvirt/clones/**/*.ts', 'src/libvirt/check/check.ts', 'src/libvirt/check/fixes.ts', 'src/libvirt/policy/apply.ts'];
const storeMessage =
  'Image files go through the image store (src/libvirt/storage/imageStore.ts, chosen in openImageStore): no file system or image tool here.';
const noFileImports = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({ name, message: storeMessage, allowTypeImports: true }));
const noImageTools = [{ selector: "Literal[value=/^(qemu-img|qemu-io|shred)$/]", message: storeMessage }];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cs/**', 'esbuild.js', 'eslint.config.mjs'] },
  ...tseslint.configs.recommended,
  {
    // CommonJS helpers of esbuild.js (which is CommonJS itself): require() is how they load.
    files: ['scripts/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Outside src/libvirt/ nothing spawns a process (tests, benchmarks and scripts may: they are not in src/).
    files: ['src/**/*.ts'],
    ignores: ['src/libvirt/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: noProcessImports }],
      'no-restricted-syntax': ['error', ...noProcessLoading],
    },
  },
  {
    // src/core and src/cli must stay usable from plain Node: vscode only as a type; no processes.
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [noVscode, ...noProcessImports] }],
    },
  },
  {
    // src/libvirt spawns the processes, and must stay usable from plain Node: vscode only as a type.
    files: ['src/libvirt/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [noVscode] }],
    },
  },
  {
    files: STORE_CLIENTS,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [noVscode, ...noFileImports] }],
      'no-restricted-syntax': ['error', ...noImageTools],
    },
  },
);
