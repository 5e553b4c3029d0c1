// ESLint 9 flat config: typescript-eslint (type-aware) for bugs, the folder walls of the README's architecture, and
// nothing about layout — Prettier owns formatting (eslint-config-prettier turns off every rule it would fight).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Every product folder; `sandbox/` (the partner simulator) may import none of them. */
const productFolders = [
  'workflows',
  'activities',
  'common',
  'client',
  'worker',
  'webhook-receiver',
  'codec-server',
  'cli',
];

/** An import of `folder` from anywhere below the project root, however many `../` it takes. */
/** What workflow code may import at run time; `outside` matches a relative path that leaves workflows/. */
const workflowImports = (outside, extra = []) => ({
  patterns: [
    ...extra,
    {
      regex: '^(?!(@temporalio/workflow|@temporalio/common|zod|ms)$)[^.]',
      allowTypeImports: true,
      message:
        'Workflow code may import at run time only @temporalio/workflow, @temporalio/common, zod, ms and workflows/; use `import type` for anything else.',
    },
    {
      regex: outside,
      allowTypeImports: true,
      message: 'Workflow code may import at run time only from workflows/; use `import type` for other folders.',
    },
  ],
});

const folderImport = (folder) => `^(\\.\\./)+${folder}(/.*)?$`;

export default defineConfig(
  globalIgnores(['node_modules/', '.temporal/', '.artifacts/', '.data/', 'dist/', 'test/histories/']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The rule this config exists for: a promise nobody awaits is a bug, in workflow code a nondeterminism hazard.
      // Fire-and-forget is written `void promise` with a comment saying why.
      '@typescript-eslint/no-floating-promises': 'error',
      // A `let` read by a closure before its one assignment (cli/run.ts) cannot be a `const`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],

      // Off: churn without catching bugs here.
      // `${n}` with numbers, booleans and the like is how this code builds log lines and messages.
      '@typescript-eslint/restrict-template-expressions': 'off',
      // `async` functions without an `await` implement async interfaces (activities, fastify handlers, SDK hooks).
      '@typescript-eslint/require-await': 'off',
      // Parsed JSON, zod's `unknown` and SDK payloads: the `any` flows are checked at the boundary by schemas.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Unused values are tsc's business (noUnusedLocals is a choice of tsconfig); `_`-prefixed ones are intended.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // JavaScript is outside tsconfig.json, so it is linted without type information.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Plain CommonJS on purpose: common/failure-converter.js is loaded by path by the SDK (see the file).
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', exports: 'writable', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // ── Folder walls ──────────────────────────────────────────────────────────────────────────────────────────────
  {
    // Workflow code runs in the deterministic sandbox: at run time it may import only the workflow SDK, the search
    // attribute helpers of @temporalio/common, zod and ms, and its own folder. Anything else only as `import type`.
    files: ['workflows/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowImports('^\\.\\./')] },
  },
  {
    // Every module a run loads stays in memory while the run is cached, and is evaluated again on each replay
    // (workflows/lazy-modules.ts): no zod or ms in today's runs; release 0.1's code loads through lazy-modules.ts.
    // input.ts is parsed by the prepareRun activity, outside the sandbox.
    files: ['workflows/*.ts'],
    ignores: ['workflows/lazy-modules.ts', 'workflows/input.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        workflowImports('^\\.\\./', [
          {
            regex: '^(zod|ms|\\./input|\\./v1/.*)$',
            allowTypeImports: true,
            message:
              'A waiting run must not load zod, ms or release 0.1 code: import them lazily through ./lazy-modules (or `import type`).',
          },
        ]),
      ],
    },
  },
  {
    // The frozen release-0.1 copy: the same rule, one folder deeper (`../` is still workflows/).
    files: ['workflows/v1/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowImports('^\\.\\./\\.\\./')] },
  },
  {
    // The partner simulator stands for a third party: it may import nothing of the product.
    files: ['sandbox/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: productFolders.map((folder) => ({
            regex: folderImport(folder),
            message: 'sandbox/ simulates the partner: it may import nothing of the product.',
          })),
        },
      ],
    },
  },
  {
    // client/ is the library a backend calls: no process internals, and activities only as types.
    files: ['client/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...['worker', 'webhook-receiver', 'codec-server', 'cli'].map((folder) => ({
              regex: folderImport(folder),
              message: `client/ is a library: it may not import the ${folder}/ process (shared plumbing lives in common/).`,
            })),
            {
              regex: folderImport('activities'),
              allowTypeImports: true,
              message: 'client/ may import activities/ only with `import type`.',
            },
          ],
        },
      ],
    },
  },
  {
    // The worker process: no client library, no other process.
    files: ['worker/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: ['client', 'webhook-receiver', 'codec-server', 'cli'].map((folder) => ({
            regex: folderImport(folder),
            message: `worker/ may not import ${folder}/ (shared plumbing lives in common/).`,
          })),
        },
      ],
    },
  },
  {
    // Tests read JSON answers whose shape their assertions check: `any` there is the point, not a shortcut.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  prettier,
);
