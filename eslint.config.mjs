// ESLint flat config: typed rules, so floating promises are caught.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cs/**', 'esbuild.js', 'eslint.config.mjs'] },
  ...tseslint.configs.recommended,
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
    // src/core and src/libvirt must stay usable from plain Node: vscode only as a type.
    files: ['src/core/**/*.ts', 'src/libvirt/**/*.ts', 'src/cli/**/*.ts', 'src/validation/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'core/, libvirt/ and cli/ must not load vscode.', allowTypeImports: true }] },
      ],
    },
  },
);
