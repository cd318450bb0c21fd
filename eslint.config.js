import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

// What the engine may never import, whichever of its folders a file sits in.
const ENGINE_ADAPTER_IMPORTS = [
  { group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process', 'os'], message: 'src/engine is pure: no Node I/O modules.' },
  { group: ['pg', 'pg-*', '@electric-sql/*', 'fastify', 'fastify-*', '@fastify/*', 'pg-boss', 'undici', 'pino', 'csv-parse', 'csv-parse/*'], message: 'src/engine is pure: adapters live outside it.' },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '.tmp/', 'bench/results/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', performance: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // No import cycles in the product: a cycle means two modules are one, or a layer points up.
    // Relative imports name their .ts file, so Node's resolver finds them without TypeScript's.
    files: ['src/**/*.ts', 'bin/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/extensions': ['.ts', '.js', '.mjs'], 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs'] })] },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The engine is pure: no I/O, no clock, no unseeded randomness (see design.md).
    files: ['src/engine/**/*.ts'],
    ignores: ['src/engine/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...ENGINE_ADAPTER_IMPORTS,
          { group: ['../*'], message: 'src/engine imports only from inside src/engine.' },
        ],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Inject the clock: the engine has no clock.' },
        { object: 'Math', property: 'random', message: 'Use the seeded RNG passed in.' },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'The engine does no I/O.' }, { name: 'process', message: 'The engine reads no environment.' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Inject the clock: the engine has no clock.' }],
    },
  },
  {
    // The engine's subfolders (strategies/) reach the rest of the engine one level up, never beyond it.
    files: ['src/engine/*/**/*.ts'],
    ignores: ['src/engine/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...ENGINE_ADAPTER_IMPORTS,
          { group: ['../../*'], message: 'src/engine imports only from inside src/engine.' },
        ],
      }],
    },
  },
  {
    // The synthetic market is seeded and pure like the engine, and imports only the engine.
    files: ['src/simulation/**/*.ts'],
    ignores: ['src/simulation/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process', 'os'], message: 'src/simulation is pure: no Node I/O modules.' },
          { group: ['../*', '!../engine', '!../engine/*'], message: 'src/simulation imports only from src/engine and itself.' },
        ],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'The market has no clock: the caller passes the dates.' },
        { object: 'Math', property: 'random', message: 'Use the seeded RNG.' },
      ],
    },
  },
  // Layers: imports point down (cli/api/jobs → services → engine, store, sources, meta, simulation → engine).
  // src/presentation turns the engine's typed decisions into the specification's document: pure, over
  // the engine only; the store keeps that document, and every outlet prints it.
  ...[
    { files: ['src/presentation/**/*.ts'], allowed: ['engine'], name: 'src/presentation' },
    { files: ['src/store/**/*.ts'], allowed: ['engine', 'presentation'], name: 'src/store' },
    { files: ['src/sources/**/*.ts'], allowed: ['engine'], name: 'src/sources' },
    { files: ['src/meta/**/*.ts'], allowed: ['engine', 'simulation'], name: 'src/meta' },
    { files: ['src/backtest/**/*.ts'], allowed: ['engine', 'simulation', 'sources'], name: 'src/backtest' },
    { files: ['src/services/**/*.ts'], allowed: ['engine', 'presentation', 'store', 'sources', 'meta', 'simulation', 'backtest'], name: 'src/services' },
    { files: ['src/jobs/**/*.ts'], allowed: ['engine', 'presentation', 'store', 'services'], name: 'src/jobs' },
  ].map(({ files, allowed, name }) => ({
    files,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['../*', ...allowed.flatMap((a) => [`!../${a}`, `!../${a}/*`]), '!../context.ts', '!../config.ts'], message: `${name} imports only from ${allowed.join(', ')} (imports point down).` }],
      }],
    },
  })),
  {
    // The dashboard talks to the server over HTTP only (its types are declared from openapi.json).
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/src/*', '../../src/*', '../../../src/*'], message: 'web/ uses the public API over HTTP, not src/.' },
          { group: ['node:*'], message: 'web/ runs in the browser.' },
        ],
      }],
    },
  },
  // The API and the CLI are two outlets over the same services: neither reads the store itself, and
  // neither imports the other (the composition root, bin/targeting-optimizer.ts, joins them).
  ...[
    { files: ['src/api/**/*.ts'], name: 'src/api', sibling: 'cli' },
    { files: ['src/cli/**/*.ts'], name: 'src/cli', sibling: 'api' },
  ].map(({ files, name, sibling }) => ({
    files,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: [`**/${sibling}/*`], message: `${name} does not import src/${sibling}: share through src/services.` },
          { group: ['**/store/*'], message: `${name} reads and writes through src/services, not src/store.` },
        ],
      }],
    },
  })),
);
