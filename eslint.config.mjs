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
  'webhook',
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
  globalIgnores(['node_modules/', '.temporal/', '.node24/', '.artifacts/', '.data/', 'dist/', 'test/histories/']),
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
    // Plain CommonJS on purpose: common/failure-converter.js is loaded by path by the SDK (see the file), and
    // bin/launch.js starts the package's compiled processes.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        exports: 'writable',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
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
    // webhook/ is the library a backend mounts in its own server: it builds on common/ and the workflows' message
    // definitions only. Express and Fastify as types only, so a node:http server needs neither installed.
    files: ['webhook/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...['worker', 'webhook-receiver', 'codec-server', 'cli', 'client', 'activities', 'sandbox'].map(
              (folder) => ({
                regex: folderImport(folder),
                message: `webhook/ is a library: it may not import ${folder}/ (it builds on common/ and workflows/).`,
              }),
            ),
            {
              regex: '^(express|fastify)(/.*)?$',
              allowTypeImports: true,
              message: 'webhook/ may import express and fastify only with `import type`: a node:http user has neither.',
            },
          ],
        },
      ],
    },
  },
  {
    // The example backend stands for a user's project: the product only through the package's public entry points
    // (client/index.ts, webhook/index.ts); nothing of the tests, the scripts or the partner simulator.
    files: ['examples/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...[...productFolders.filter((f) => f !== 'client' && f !== 'webhook'), 'sandbox', 'scripts', 'test'].map(
              (folder) => ({
                regex: folderImport(folder),
                message: `examples/ uses the product as a user would: through client/index and webhook/index, not ${folder}/.`,
              }),
            ),
            {
              regex: '^(\\.\\./)+(client|webhook)/(?!index$).+$',
              message:
                'examples/ imports the product through its public entry points only: client/index, webhook/index.',
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
    // tracing/ is plumbing every process and a backend may call first: it knows no process, the client or the
    // activities (they plug its pieces in, not the other way round).
    files: ['tracing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            'worker',
            'webhook-receiver',
            'codec-server',
            'cli',
            'client',
            'activities',
            'webhook',
            'sandbox',
          ].map((folder) => ({
            regex: folderImport(folder),
            message: `tracing/ may not import ${folder}/: the processes and the client plug tracing in.`,
          })),
        },
      ],
    },
  },
  {
    // The workflow interceptor module is bundled into the workflow sandbox when tracing is on: the Temporal
    // OpenTelemetry workflow interceptors and the bundle marker, nothing else.
    files: ['tracing/workflow-interceptors.ts', 'tracing/bundle-marker.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!(@temporalio/interceptors-opentelemetry/lib/workflow-interceptors|\\./bundle-marker)$)',
              allowTypeImports: true,
              message:
                'Bundled into the workflow sandbox: only the OpenTelemetry workflow interceptors and ./bundle-marker.',
            },
          ],
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
