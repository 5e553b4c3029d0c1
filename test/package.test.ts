// The package a backend installs (README, "Use it from your backend"): `npm pack` — which builds through `prepack` —,
// a fresh project that installs the tarball, and that project using it as the README shows: from plain JavaScript
// (require and import), from type-checked TypeScript, and end to end — the packaged worker, the webhook mounted on a
// node:http server, a KYC started with KycClient and verified by the packaged sandbox's webhook.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/ports';
import { SAMPLE_JPEG } from '../scripts/sample-documents';
import { projectRoot } from '../scripts/toolchain';
import { devServerAddress, uniqueTaskQueue } from './support/temporal';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of everything this file starts: no `npm_*` variables (a run under `npm test` must not hand its own
 * lifecycle to the npm it calls), and this Node first on PATH, so npm, the bins and the consumer's code all run on
 * the runtime under test (CI runs the suite on Node 20 and on Node 24).
 */
const baseEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_'))),
  PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
};

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function succeed(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Ran> {
  const ran = await run(command, args, cwd, env);
  if (ran.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${ran.code}\n${ran.stdout.slice(-4000)}\n${ran.stderr.slice(-4000)}`,
    );
  }
  return ran;
}

/** The last stdout line of a consumer program, which prints its findings as one JSON object. */
const lastJsonLine = (ran: Ran): any => JSON.parse(ran.stdout.trim().split('\n').at(-1)!);

const packageJson = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
};

let work: string;
let consumer: string;
let packedFiles: string[];
let installOutput: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kyc-package-'));
  // prepack builds dist/ first; the build's own lines come before npm's JSON report on stdout.
  const pack = await succeed('npm', ['pack', '--json', '--pack-destination', work], projectRoot);
  const [report] = JSON.parse(pack.stdout.slice(pack.stdout.search(/^\[$/m))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packedFiles = report!.files.map((file) => file.path);

  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  // allowScripts as the README says: npm ≥ 11.19 lists dependency install scripts it skipped; these two are not needed.
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({
      name: 'kyc-consumer',
      version: '1.0.0',
      private: true,
      allowScripts: { '@swc/core': false, protobufjs: false },
    }),
  );
  const install = await succeed(
    'npm',
    ['install', join(work, report!.filename), '--prefer-offline', '--no-audit', '--no-fund'],
    consumer,
  );
  installOutput = install.stdout + install.stderr;
  for (const file of ['probe.cjs', 'probe.mjs', 'onboard.cjs']) {
    copyFileSync(join(projectRoot, 'test/package-consumer', file), join(consumer, file));
  }
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships compiled JavaScript with declarations for every entry, the workflow bundle, the bins and the docs', () => {
    const targets = Object.values(packageJson.exports).flatMap((target) =>
      typeof target === 'string' ? [target] : [target.types, target.default],
    );
    for (const target of [...targets, ...Object.values(packageJson.bin)]) {
      expect(packedFiles, target).toContain(target.replace(/^\.\//, ''));
    }
    for (const file of ['dist/workflow-bundle.js', 'dist/common/failure-converter.js', 'README.md', 'docs/workflow.md'])
      expect(packedFiles).toContain(file);
  });

  it('ships no TypeScript sources, tests, scripts or benchmarks', () => {
    expect(packedFiles.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    expect(packedFiles.filter((file) => !/^(dist|bin|docs)\/|^(README\.md|package\.json)$/.test(file))).toEqual([]);
  });
});

describe('a fresh project that installs the tarball', () => {
  it('installs without a single npm warning (no EBADENGINE on this Node) and without a TypeScript loader', () => {
    expect(installOutput).not.toContain('EBADENGINE');
    expect(installOutput.split('\n').filter((line) => /npm warn/i.test(line))).toEqual([]);
    expect(existsSync(join(consumer, 'node_modules/tsx'))).toBe(false);
  });

  it('gets the bins, running from the compiled JavaScript', async () => {
    for (const bin of Object.keys(packageJson.bin))
      expect(existsSync(join(consumer, 'node_modules/.bin', bin))).toBe(true);
    const help = await succeed(join(consumer, 'node_modules/.bin/kyc'), ['--help'], consumer);
    expect(help.stdout).toMatch(/^Usage: kyc <command>/m);
  });

  it('uses every entry from plain CommonJS, and a backend alone never loads the worker', async () => {
    expect(lastJsonLine(await succeed(process.execPath, ['probe.cjs'], consumer))).toEqual({
      client: {
        connect: 'function',
        notFound: 'no KYC run for customer ckcust_probe (workflow kyc-ckcust_probe not found)',
        workflowId: 'kyc-ckcust_probe',
      },
      webhook: { path: '/webhooks/technest', getIsRefused: 405, signs: 'function', nodeListener: 'function' },
      messages: {
        signals: ['customerVerified', 'customerRejected'],
        query: 'status',
        update: 'customerDecision',
        workflowId: 'kyc-ckcust_probe',
      },
      backendLoadedNativeBridge: false,
      backendLoadedActivities: false,
      worker: {
        create: 'function',
        activities: expect.any(Number),
        workflowsPath: true,
        bundle: true,
        badConfig: expect.stringContaining('TECHNEST_API_URL'),
      },
      tracing: 'function',
      // Only the entries of the exports map are public: internals are not an API to lean on.
      deepImport: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });

  it('uses the entries from an ES module by their named exports', async () => {
    expect(lastJsonLine(await succeed(process.execPath, ['probe.mjs'], consumer))).toEqual({
      client: ['function', 'function'],
      webhook: ['function', 'function', '/webhooks/technest'],
      messages: ['customerVerified', 'kyc-ckcust_esm'],
      worker: ['function', 'string'],
    });
  });

  it('type-checks a TypeScript backend against the installed declarations (nodenext and node10 resolution)', async () => {
    writeFileSync(join(consumer, 'backend.ts'), typedBackend);
    const tsc = join(projectRoot, 'node_modules/typescript/bin/tsc');
    const resolutions = [
      ['nodenext', 'nodenext'],
      ['commonjs', 'node10'],
    ] as const;
    // Side by side: each run spends its time reading the dependencies' declarations, not checking.
    const checks = await Promise.all(
      resolutions.map(([module, moduleResolution]) => {
        const config = join(consumer, `tsconfig.${moduleResolution}.json`);
        // The options a backend's tsconfig has (skipLibCheck too: @temporalio/common's own declarations want
        // @types/ms); @types/node comes from this repository, as a backend has its own.
        const compilerOptions = {
          module,
          moduleResolution,
          target: 'es2022',
          strict: true,
          esModuleInterop: true,
          skipLibCheck: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(projectRoot, 'node_modules/@types')],
        };
        writeFileSync(config, JSON.stringify({ compilerOptions, files: ['backend.ts'] }));
        return run(process.execPath, [tsc, '-p', config], consumer);
      }),
    );
    checks.forEach((checked, index) => {
      const resolution = resolutions[index]![1];
      expect(checked.stdout + checked.stderr, resolution).toBe('');
      expect(checked.code, resolution).toBe(0);
    });
  }, 240_000);

  it('onboards a customer end to end: its worker, its webhook on node:http, KycClient, verified by the sandbox', async () => {
    const webhookPort = await freePort();
    const secret = 'whsec_package_test';
    const document = join(work, 'passport.jpg');
    writeFileSync(document, SAMPLE_JPEG);
    const sandbox = spawn(join(consumer, 'node_modules/.bin/kyc-sandbox'), [], {
      cwd: consumer,
      env: {
        ...baseEnv,
        SANDBOX_PORT: '0',
        SANDBOX_REVIEW_AFTER_MS: '300',
        SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/webhooks/technest`,
        SANDBOX_WEBHOOK_SECRET: secret,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const sandboxUrl = await new Promise<string>((resolve, reject) => {
        let seen = '';
        sandbox.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const url = /listening on (http:\/\/\S+)/.exec(seen)?.[1];
          if (url) resolve(url);
        });
        sandbox.once('exit', (code) => reject(new Error(`kyc-sandbox exited ${code} before listening: ${seen}`)));
      });

      const onboarded = await succeed(process.execPath, ['onboard.cjs'], consumer, {
        TEMPORAL_ADDRESS: devServerAddress(),
        KYC_TASK_QUEUE: uniqueTaskQueue('package'),
        TECHNEST_API_URL: sandboxUrl,
        TECHNEST_API_KEY: 'sk_test_technest_sandbox',
        WEBHOOK_SECRET: secret,
        WEBHOOK_PORT: String(webhookPort),
        DOCUMENT: document,
      });
      const { customerId, result, decidedVia } = lastJsonLine(onboarded);
      expect(result).toMatchObject({ status: 'verified', customerId, customerReference: 'consumer-1' });
      // The verdict came through the consumer's own webhook mount (a first poll is 15 minutes away).
      expect(decidedVia).toBe('webhook');
      const record = (await (await fetch(`${sandboxUrl}/_sandbox/customers/${customerId}`)).json()) as any;
      expect(record).toMatchObject({ status: 'verified', submit_count: 1, attached: { id_file: expect.any(String) } });
    } finally {
      sandbox.kill('SIGTERM');
    }
  }, 120_000);
});

/**
 * A backend's TypeScript, compiled against the installed package only. The `@ts-expect-error` lines prove the types
 * are real: were an entry typed `any`, they would be unused, which tsc reports as an error.
 */
const typedBackend = `
import { KycClient, KycRunNotFoundError, type KycInput, type KycResult } from 'kyc-worker';
import { createTechnestWebhookHandler, technestNodeListener, webhookPath } from 'kyc-worker/webhook';
import { customerVerified, kycWorkflowId, type KycStatusReply } from 'kyc-worker/messages';
import { NativeConnection, createKycWorker, parseWorkerConfig, prebuiltWorkflowBundle, temporalTarget } from 'kyc-worker/worker';
import { createServer } from 'node:http';

const input: KycInput = {
  customerId: 'ckcust_typed',
  customerReference: 'typed-1',
  documents: [{ category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: '/tmp/p.jpg' }],
};

export async function onboard(): Promise<KycResult['status']> {
  const kyc = await KycClient.connect();
  const server = createServer(technestNodeListener(createTechnestWebhookHandler({ client: kyc.client, secrets: ['s'] })));
  await kyc.start(input);
  const status: KycStatusReply = await kyc.status(input.customerId);
  const result: KycResult = await kyc.result(input.customerId);
  server.close();
  return status.stage === 'verified' ? result.status : 'rejected';
}

export async function runWorker(): Promise<void> {
  const { connectionOptions, namespace } = temporalTarget();
  const connection = await NativeConnection.connect(connectionOptions);
  const config = parseWorkerConfig(process.env);
  const worker = await createKycWorker({ connection, namespace, config, workflowBundle: prebuiltWorkflowBundle() });
  await worker.run();
}

export const names = [webhookPath, customerVerified.name, new KycRunNotFoundError('ckcust_1').customerId];
// @ts-expect-error the partner knows no 'selfie' category
export const selfie: KycInput['documents'][number]['category'] = 'selfie';
// @ts-expect-error a workflow id is made from the partner's customer id, a string
kycWorkflowId(42);
`;
