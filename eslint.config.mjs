// Lint rules, including the import boundaries between the layers:
//   src/vscode -> src/core, src/shared     (the only folder that imports 'vscode')
//   src/core   -> src/shared               (no 'vscode', no DOM)
//   src/cli    -> src/core, src/shared
//   webview    -> src/shared               (browser only: no node built-ins, no core)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'Only src/vscode may import vscode; take a port instead.' };
const layer = (files, patterns, paths = [noVscode]) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
});

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'test-output/', '**/*.mjs', 'samples/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  layer(['src/core/**/*.ts'], [
    { group: ['**/vscode/**', '**/cli/**'], message: 'src/core must not depend on the host or the CLI.' },
  ]),
  layer(['src/shared/**/*.ts'], [
    { group: ['**/vscode/**', '**/core/**', '**/cli/**', 'node:*'], message: 'src/shared is used by webviews: no host, core or node imports.' },
  ]),
  layer(['src/cli/**/*.ts'], [{ group: ['**/vscode/**'], message: 'The CLI is built on src/core only.' }]),
  layer(['webview/**/*.ts'], [
    { group: ['**/src/core/**', '**/src/vscode/**', '**/src/cli/**', 'node:*'], message: 'Webviews import only src/shared.' },
  ]),
  layer(['test/unit/**/*.ts', 'test/integration/**/*.ts', 'bench/**/*.ts'], [
    { group: ['**/src/vscode/**'], message: 'Unit tests run in plain Node: test src/core and src/shared only.' },
  ]),
  { files: ['src/cli/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'], rules: { 'no-console': 'off' } },
);
