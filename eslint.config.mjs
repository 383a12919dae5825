// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/fixtures/', 'examples/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // spec/ is the pure core: no editor, no I/O, no training runtime.
    files: ['spec/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['vscode'], message: 'Only extension/ may import vscode.' },
            { group: ['node:*', 'fs', 'path', 'worker_threads'], message: 'spec/ does no I/O.' },
            { group: ['@tensorflow/*'], message: 'spec/ does not run models.' },
          ],
        },
      ],
    },
  },
  {
    files: [
      'cli/**/*.ts',
      'kernels/**/*.ts',
      'test/unit/**/*.ts',
      'test/bench/**/*.ts',
      'scripts/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['vscode'], message: 'Only extension/ may import vscode.' }] },
      ],
    },
  },
);
