// eslint.config.js — lint rules for client-js/ (`npm run lint`): eslint:recommended, the few
// bug-prone rules that pay, and one naming style (STYLE.md G19: C++ snake_case is JS camelCase).
//
// Names: variables, functions and parameters are camelCase, classes PascalCase, module constants
// may be UPPER_CASE. Property names are exempt (`properties: 'never'`): frames and welcome limits
// keep the wire names of proto/PROTOCOL.md (`next_seq`, `max_frame_bytes`), and a trailing `_`
// marks a private member as in the C++ (`clock_`).
//
// Globals follow where a file runs: src/ in browsers and Node alike (only what both have), the
// editor and the fake client bundled into it in browsers, everything else in Node (the browser
// end-to-end tests also hand functions to the page, hence browser globals there too).

import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', 'public/build/', 'dist/'] },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      camelcase: ['error', { properties: 'never', ignoreDestructuring: false, ignoreImports: false }],
      'new-cap': ['error', { newIsCap: true, capIsNew: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-unused-vars': ['error', {
        args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_',
        caughtErrors: 'all', caughtErrorsIgnorePattern: '^_',
      }],
      'no-shadow': ['error', { builtinGlobals: false, hoist: 'functions' }],
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unreachable-loop': 'error',
      'no-throw-literal': 'error',
      'array-callback-return': 'error',
      'default-case-last': 'error',
      'no-new-wrappers': 'error',
      'no-implied-eval': 'error',
      'no-eval': 'error',
    },
  },
  {
    ignores: ['src/**', 'editor/**', 'test/browser/fake_client.js'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src/**/*.js'],
    languageOptions: { globals: globals['shared-node-browser'] },
  },
  {
    files: ['editor/**/*.js', 'test/browser/fake_client.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['test/browser/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
