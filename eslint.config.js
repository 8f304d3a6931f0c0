// Lint: typescript-eslint (type-aware rules where a mistake costs a lost event or an unhandled rejection),
// the React hooks rules, and the boundaries of docs/ARCHITECTURE.md as import rules. Formatting is Prettier's
// job (npm run format), so no stylistic rule here.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Packages that talk to a database, a broker or the network: only the adapters at the edge may import them. */
const DRIVERS = [
  'better-sqlite3',
  'pg',
  'ioredis',
  'mqtt',
  'socket.io',
  'socket.io-client',
  '@nats-io/jetstream',
  '@nats-io/transport-node',
  '@socket.io/redis-streams-adapter',
];
const driverRule = (message) => ({
  paths: DRIVERS.map((name) => ({ name, message })),
  patterns: [
    {
      group: ['**/store/sqlite*', '**/store/postgres*', '**/store/users-*', '**/bus/jetstream*', '**/gateway/*'],
      message,
    },
  ],
});

export default tseslint.config(
  {
    ignores: ['dist/', 'var/', 'test-results/', '.tsbuild/', 'node_modules/', 'data/geo/', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its error: on the server that is a lost event or a crash at exit.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['client/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // The client reaches the server only through the contract (types and schemas shared by both sides).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', '!**/server/contract', '!**/server/contract/**'],
              message: 'The client imports only server/contract/ from the server.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/**/*.ts', 'tests/**/*.ts', 'data/**/*.ts', '*.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    // Server and tests see the DOM's types too (tests drive the browser), where a forgotten local such as
    // `origin` or `name` still compiles as a browser global and is undefined in Node.
    files: ['server/**/*.ts', 'tests/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['origin', 'name', 'event', 'status', 'length', 'parent', 'top', 'self', 'closed'].map((name) => ({
          name,
          message: `"${name}" here would be the browser global, not a local: declare it.`,
        })),
      ],
    },
  },
  {
    // Tests break fixtures on purpose (a layer file edited into a bad shape): typing each of them buys nothing.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The contract is what both sides share: it imports nothing but itself and the schema library.
    files: ['server/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!typebox(/|$)|\\./)',
              message: 'server/contract/ imports only its own modules and typebox.',
            },
          ],
        },
      ],
    },
  },
  {
    // Domain code (placing, folding, rules, notifications) never imports a driver: it is handed seams
    // (EventStore, EventBus); the notifier speaks HTTP through the standard fetch.
    files: [
      'server/geo/**/*.ts',
      'server/live/**/*.ts',
      'server/reports/**/*.ts',
      'server/rules/**/*.ts',
      'server/notify/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        driverRule('Domain code gets a seam (store/types, bus/types), never a driver.'),
      ],
    },
  },
);
