// The deployment files, checked statically (no Docker engine here), and the production configuration parsing:
// compose services, pinned images, ports and variable names per docs/operations.md, no literal secrets; the Dockerfile's
// stages, user and bundle step; Temporal Cloud by environment alone; the worker's operational knobs.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseWebhookConfig } from '../webhook-receiver/config';
import { projectRoot } from '../scripts/toolchain';
import { ConfigError } from '../common/env';
import { temporalTarget } from '../common/connection';
import { parseOpsConfig, workerTuning } from '../worker/ops-config';

const read = (file: string) => readFileSync(join(projectRoot, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}
const compose = parse(read('docker-compose.temporal.yml')) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const envExample = read('.env.example');
const secretNames = [
  'POSTGRES_PASSWORD',
  'TECHNEST_API_KEY',
  'WEBHOOK_SECRET',
  'KYC_PAYLOAD_KEYS',
  'TEMPORAL_API_KEY',
  'POSTGRES_PWD',
];

describe('docker-compose.temporal.yml', () => {
  it('has every service the README names, each image pinned', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['kyc-webhooks', 'kyc-worker', 'postgresql', 'temporal', 'temporal-search-attributes', 'temporal-ui'].sort(),
    );
    const readme = read('README.md');
    for (const name of Object.keys(services)) expect(readme, `README names ${name}`).toContain(name);
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, `${name} has an image`).toBeDefined();
      // A version tag (digits) or a digest; never latest, never untagged.
      expect(service.image, name).toMatch(
        /^[\w./-]+(:[\w.-]*\d[\w.-]*|@sha256:[0-9a-f]{64})$|^[\w./-]+:\$\{KYC_IMAGE_TAG:-\d[\w.-]*\}$/,
      );
      expect(service.image, name).not.toMatch(/:latest\b/);
    }
    expect(services.temporal!.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    expect(services['temporal-search-attributes']!.image).toMatch(/^temporalio\/admin-tools:/);
  });

  it('registers the contract search attributes', () => {
    const script = JSON.stringify(services['temporal-search-attributes']!.command);
    for (const [name, type] of [
      ['KycStatus', 'Keyword'],
      ['CustomerReference', 'Keyword'],
      ['KycEscalated', 'Bool'],
    ]) {
      expect(script).toContain(`--name ${name} --type ${type}`);
    }
  });

  it('builds the worker and the receiver from the Dockerfile, with health checks and ordered start', () => {
    for (const name of ['kyc-worker', 'kyc-webhooks']) {
      const service = services[name]!;
      expect(service.build, name).toBe('.');
      expect(service.healthcheck?.test.join(' '), name).toContain('/readyz');
      expect(service.depends_on?.temporal?.condition, name).toBe('service_healthy');
    }
    expect(services['kyc-worker']!.depends_on?.['temporal-search-attributes']?.condition).toBe(
      'service_completed_successfully',
    );
    expect(services['kyc-webhooks']!.command?.join(' ')).toContain('webhook-receiver/main.ts');
    // The image a compose user gets by default is this release's, as package.json names it.
    const { version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    for (const name of ['kyc-worker', 'kyc-webhooks'])
      expect(services[name]!.image, name).toBe(`kyc-worker:\${KYC_IMAGE_TAG:-${version}}`);
    for (const name of ['postgresql', 'temporal']) expect(services[name]!.healthcheck, name).toBeDefined();
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['temporal-postgres', 'kyc-documents']));
  });

  it('uses the contract ports and variable names (docs/operations.md, docs/webhook-receiver.md)', () => {
    const worker = services['kyc-worker']!.environment!;
    const receiver = services['kyc-webhooks']!.environment!;
    for (const name of [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'KYC_TASK_QUEUE',
      'TECHNEST_API_URL',
      'TECHNEST_API_KEY',
      'KYC_EVENTS_URL',
    ]) {
      expect(worker, `worker ${name}`).toHaveProperty(name);
    }
    for (const name of ['TEMPORAL_ADDRESS', 'WEBHOOK_PORT', 'WEBHOOK_SECRET'])
      expect(receiver, `receiver ${name}`).toHaveProperty(name);
    expect(worker.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(String(receiver.WEBHOOK_PORT)).toBe('3000');
    expect(services['kyc-webhooks']!.ports).toContain('3000:3000');
    expect(services.temporal!.ports).toContain('7233:7233');
  });

  it('holds no literal secret: each comes from the environment, and .env.example lists it', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!secretNames.includes(key)) continue;
        expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z_]+(:?[-?][^}]*)?\}$/);
        expect(String(value), `${name}.${key} has no default value`).not.toMatch(/:-[^}]/);
      }
    }
    const raw = read('docker-compose.temporal.yml');
    expect(raw).not.toMatch(/sk_(test|live)_|whsec_/);
    for (const used of new Set([...raw.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!))) {
      expect(envExample, `.env.example mentions ${used}`).toContain(used);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)];

  it('is multi-stage, pinned, production-only, and runs as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const nodeImage = /^ARG NODE_IMAGE=(\S+)/m.exec(dockerfile)?.[1];
    expect(nodeImage).toMatch(/^node:\d+\.\d+\.\d+-/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const user = /^USER\s+(\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime.indexOf('USER')).toBeLessThan(runtime.indexOf('CMD'));
  });

  it('prebuilds the workflow bundle and points the worker at it; one image, the worker by default', () => {
    expect(dockerfile).toMatch(/RUN .*scripts\/build-workflow-bundle\.ts dist\/workflow-bundle\.js/);
    expect(dockerfile).toMatch(/KYC_WORKFLOW_BUNDLE=\/app\/dist\/workflow-bundle\.js/);
    expect(dockerfile).toMatch(/COPY --from=bundle \/app\/dist\/workflow-bundle\.js/);
    expect(dockerfile).toMatch(/^CMD \["node", "--import", "tsx", "worker\/main\.ts"\]/m);
  });

  it('copies every folder the processes run from into the image', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    for (const folder of [
      'workflows',
      'activities',
      'common',
      'worker',
      'webhook-receiver',
      'codec-server',
      'cli',
      'client',
      'bin',
    ]) {
      expect(runtime, folder).toMatch(new RegExp(`^COPY ${folder} \\./${folder}$`, 'm'));
    }
  });

  it('holds no secret and keeps the build context clean', () => {
    expect(dockerfile).not.toMatch(/sk_(test|live)_|whsec_/);
    for (const name of secretNames) expect(dockerfile).not.toMatch(new RegExp(`(ENV|ARG)\\s+[^\\n]*\\b${name}=`));
    const ignore = read('.dockerignore');
    for (const entry of ['node_modules', '.env', '.git', '.temporal']) expect(ignore.split('\n')).toContain(entry);
  });
});

describe('Temporal Cloud by environment alone', () => {
  const cloud = { TEMPORAL_ADDRESS: 'kyc.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'kyc.a1b2c' };

  it('TEMPORAL_API_KEY: the key is sent and TLS is on', () => {
    const target = temporalTarget({ ...cloud, TEMPORAL_API_KEY: 'key-123' });
    expect(target).toMatchObject({
      namespace: 'kyc.a1b2c',
      connectionOptions: { address: cloud.TEMPORAL_ADDRESS, apiKey: 'key-123', tls: true },
    });
  });

  it('TEMPORAL_TLS_CLIENT_CERT_PATH and _KEY_PATH: mTLS with that pair', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kyc-mtls-'));
    writeFileSync(join(dir, 'client.pem'), 'CERT');
    writeFileSync(join(dir, 'client.key'), 'KEY');
    const target = temporalTarget({
      ...cloud,
      TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'client.key'),
    });
    const tls = target.connectionOptions.tls as { clientCertPair: { crt: Uint8Array; key: Uint8Array } };
    expect(Buffer.from(tls.clientCertPair.crt).toString()).toBe('CERT');
    expect(Buffer.from(tls.clientCertPair.key).toString()).toBe('KEY');
    expect(target.connectionOptions.apiKey).toBeUndefined();
  });

  it('a missing certificate file, or half a pair, is an error naming the variable', () => {
    const missing = () =>
      temporalTarget({
        ...cloud,
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/nowhere/client.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/nowhere/client.key',
      });
    expect(missing).toThrow(ConfigError);
    expect(missing).toThrow(/TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read \/nowhere\/client\.pem/);
    expect(missing).toThrow(/TEMPORAL_TLS_CLIENT_KEY_PATH: cannot read/);
    const dir = mkdtempSync(join(tmpdir(), 'kyc-mtls-'));
    writeFileSync(join(dir, 'client.pem'), 'CERT');
    expect(() => temporalTarget({ ...cloud, TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'client.pem') })).toThrow(
      /TEMPORAL_TLS_CLIENT_KEY_PATH: is required/,
    );
  });
});

describe('operational configuration', () => {
  it('defaults to no endpoints and the SDK tuning; every knob is read and validated by name', () => {
    expect(parseOpsConfig({})).toMatchObject({ LOG_LEVEL: 'info', KYC_OPS_HOST: '127.0.0.1' });
    expect(workerTuning(parseOpsConfig({}))).toEqual({});
    const ops = parseOpsConfig({
      KYC_METRICS_PORT: '9464',
      KYC_HEALTH_PORT: '8080',
      KYC_MAX_CONCURRENT_ACTIVITIES: '50',
      KYC_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
      KYC_MAX_CACHED_WORKFLOWS: '500',
      KYC_SHUTDOWN_GRACE_TIME: '45s',
      LOG_LEVEL: 'debug',
    });
    expect(workerTuning(ops)).toEqual({
      maxConcurrentActivityTaskExecutions: 50,
      maxConcurrentWorkflowTaskExecutions: 20,
      maxCachedWorkflows: 500,
      shutdownGraceTime: '45s',
    });
    const bad = () =>
      parseOpsConfig({
        KYC_METRICS_PORT: 'x',
        LOG_LEVEL: 'loud',
        KYC_MAX_CONCURRENT_ACTIVITIES: '0',
        KYC_SHUTDOWN_GRACE_TIME: 'soon',
      });
    expect(bad).toThrow(/KYC_METRICS_PORT: must be a port number/);
    expect(bad).toThrow(/LOG_LEVEL: must be one of/);
    expect(bad).toThrow(/KYC_MAX_CONCURRENT_ACTIVITIES: must be a positive integer/);
    expect(bad).toThrow(/KYC_SHUTDOWN_GRACE_TIME: must be a duration/);
    expect(() => parseWebhookConfig({ WEBHOOK_SECRET: 's', WEBHOOK_METRICS_PORT: 'no' })).toThrow(
      /WEBHOOK_METRICS_PORT: must be a port number/,
    );
  });
});
