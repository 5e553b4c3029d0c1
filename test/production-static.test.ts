// The deployment files, checked statically (no Docker engine here), and the production configuration parsing:
// compose on Temporal's official layout (no auto-setup; admin-tools applies the schema before the server starts),
// images pinned to deploy/versions.env, health checks, two non-root worker replicas, Prometheus and Grafana wiring,
// ports and variable names per docs/operations.md, secrets only from the environment; the Dockerfile's
// stages, user and bundle step; Temporal Cloud by environment alone; the worker's operational knobs.
import { spawnSync } from 'node:child_process';
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
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  user?: string;
  deploy?: { replicas?: number };
  restart?: string;
}
const composeText = read('docker-compose.temporal.yml');
const compose = parse(composeText) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const envExample = read('.env.example');
/** deploy/versions.env: the one place the stack's versions are pinned (compose and the native stack). */
const versions = Object.fromEntries(
  read('deploy/versions.env')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).trim()]),
) as Record<string, string>;
const secretNames = [
  'POSTGRES_PASSWORD',
  'TECHNEST_API_KEY',
  'WEBHOOK_SECRET',
  'KYC_PAYLOAD_KEYS',
  'TEMPORAL_API_KEY',
  'POSTGRES_PWD',
  'SQL_PASSWORD',
  'GF_SECURITY_ADMIN_PASSWORD',
];
/** One-shot steps: others wait for them to exit 0, so they need no health check. */
const oneShots = ['temporal-admin-tools', 'temporal-create-namespace'];
/** The product's own services, built from this repository's Dockerfile. */
const productServices = ['kyc-worker', 'kyc-webhooks'];

/** An image reference with compose's interpolation done from deploy/versions.env (and the defaults written inline). */
function resolved(image: string): string {
  return image.replace(/\$\{([A-Z_]+)(?::?[-?]([^}]*))?\}/g, (whole, name: string, fallback?: string) => {
    if (versions[name] !== undefined) return versions[name];
    if (whole.includes(':-') || whole.includes('-')) return fallback ?? '';
    throw new Error(`${image}: ${name} is neither in deploy/versions.env nor given a default`);
  });
}

describe('docker-compose.temporal.yml', () => {
  it('has the official layout: PostgreSQL, admin-tools set-up, server, UI, namespace step, product, observability', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'postgresql',
        'temporal-admin-tools',
        'temporal',
        'temporal-create-namespace',
        'temporal-ui',
        'kyc-worker',
        'kyc-webhooks',
        'prometheus',
        'grafana',
      ].sort(),
    );
    const readme = read('README.md');
    for (const name of Object.keys(services)) expect(readme, `README names ${name}`).toContain(name);
    expect(services.temporal!.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-admin-tools']!.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-create-namespace']!.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
  });

  it('uses no auto-setup image or entrypoint anywhere (deprecated, and no 1.30 tags)', () => {
    expect(composeText).not.toMatch(/temporalio\/auto-setup|auto-setup\.sh/);
    for (const [name, service] of Object.entries(services)) {
      expect(JSON.stringify([service.entrypoint, service.command]), name).not.toMatch(/auto-setup/);
      expect(service.environment?.SKIP_SCHEMA_SETUP, name).toBeUndefined();
    }
  });

  it('pins every image to the tag deploy/versions.env names, and nowhere else', () => {
    expect(versions).toMatchObject({
      TEMPORAL_VERSION: '1.30.4',
      TEMPORAL_ADMIN_TOOLS_VERSION: '1.30.4',
      TEMPORAL_UI_VERSION: '2.53.1',
    });
    const expected: Record<string, string> = {
      postgresql: `postgres:${versions.POSTGRES_VERSION}`,
      'temporal-admin-tools': `temporalio/admin-tools:${versions.TEMPORAL_ADMIN_TOOLS_VERSION}`,
      temporal: `temporalio/server:${versions.TEMPORAL_VERSION}`,
      'temporal-create-namespace': `temporalio/admin-tools:${versions.TEMPORAL_ADMIN_TOOLS_VERSION}`,
      'temporal-ui': `temporalio/ui:${versions.TEMPORAL_UI_VERSION}`,
      prometheus: `prom/prometheus:v${versions.PROMETHEUS_VERSION}`,
      grafana: `grafana/grafana:${versions.GRAFANA_VERSION}`,
    };
    for (const [name, image] of Object.entries(expected)) {
      expect(image, `deploy/versions.env has ${name}'s version`).not.toMatch(/undefined/);
      // Taken from deploy/versions.env by interpolation, required (`:?`), never written in the compose file itself.
      expect(services[name]!.image, name).toMatch(/\$\{[A-Z_]+_VERSION:\?[^}]+\}$/);
      expect(resolved(services[name]!.image!), name).toBe(image);
      expect(resolved(services[name]!.image!), `${name} has a version tag`).toMatch(/:v?\d+(\.\d+)*$/);
    }
    // The product image is this release's, as package.json names it.
    const { version } = JSON.parse(read('package.json')) as { version: string };
    for (const name of productServices)
      expect(services[name]!.image, name).toBe(`kyc-worker:\${KYC_IMAGE_TAG:-${version}}`);
    expect(composeText).not.toMatch(/:latest\b/);
    // The file tells how to pass the versions to compose (interpolation reads --env-file, not env_file).
    expect(composeText).toContain('--env-file deploy/versions.env --env-file .env');
  });

  it('sets up the schema with temporal-sql-tool before the server starts, then namespace and search attributes', () => {
    const adminTools = services['temporal-admin-tools']!;
    expect(adminTools.depends_on?.postgresql?.condition).toBe('service_healthy');
    expect(services.temporal!.depends_on?.['temporal-admin-tools']?.condition).toBe('service_completed_successfully');
    expect(adminTools.environment?.SQL_PLUGIN).toBe('postgres12');
    const setup = read('deploy/temporal/setup-postgres.sh');
    expect(JSON.stringify(adminTools.command)).toContain('setup-postgres.sh');
    expect(setup).toMatch(/temporal-sql-tool .*create-database/);
    expect(setup).toMatch(/temporal-sql-tool .*setup-schema -v 0\.0/);
    expect(setup).toMatch(/temporal-sql-tool .*update-schema -d "\$schema_root\/\$dir\/versioned"/);
    expect(setup).toContain('schema_root=/etc/temporal/schema/postgresql/v12');
    expect(setup).toMatch(/:temporal" "\$\{VISIBILITY_DBNAME:-temporal_visibility\}:visibility"/);
    for (const key of ['DB', 'POSTGRES_SEEDS', 'POSTGRES_PWD'])
      expect(services.temporal!.environment, key).toHaveProperty(key);
    expect(services.temporal!.environment?.DB).toBe('postgres12');

    const namespace = services['temporal-create-namespace']!;
    expect(namespace.depends_on?.temporal?.condition).toBe('service_healthy');
    expect(JSON.stringify(namespace.command)).toContain('create-namespace.sh');
    const script = read('deploy/temporal/create-namespace.sh');
    expect(script).toMatch(/temporal operator namespace create --namespace "\$ns"/);
    expect(script).toContain('for attribute in KycStatus:Keyword CustomerReference:Keyword KycEscalated:Bool; do');
    expect(script).toMatch(
      /temporal operator search-attribute create --namespace "\$ns" --name "\$name" --type "\$type"/,
    );
    // The shell steps parse (a syntax error would only show at `up`).
    for (const file of ['deploy/temporal/setup-postgres.sh', 'deploy/temporal/create-namespace.sh']) {
      expect(spawnSync('sh', ['-n', join(projectRoot, file)]).status, file).toBe(0);
    }
  });

  it('health-checks every long-running service; the product waits for the server and the namespace step', () => {
    for (const [name, service] of Object.entries(services)) {
      if (oneShots.includes(name)) {
        expect(service.restart, `${name} is one-shot`).toMatch(/^(no|on-failure(:\d+)?)$/);
        continue;
      }
      expect(service.healthcheck?.test.length, `${name} has a health check`).toBeGreaterThan(0);
    }
    for (const name of productServices) {
      const service = services[name]!;
      expect(service.build, name).toBe('.');
      expect(service.healthcheck?.test.join(' '), name).toContain('/readyz');
      expect(service.depends_on?.temporal?.condition, name).toBe('service_healthy');
      expect(service.depends_on?.['temporal-create-namespace']?.condition, name).toBe('service_completed_successfully');
    }
    // The image holds the compiled package (Dockerfile): the receiver is its JavaScript, run by node itself.
    expect(services['kyc-webhooks']!.command).toEqual(['node', 'dist/webhook-receiver/main.js']);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['temporal-postgres', 'kyc-documents']));
  });

  it('runs two worker replicas, and the product images as a non-root user', () => {
    expect(services['kyc-worker']!.deploy?.replicas).toBe(2);
    // Replicas cannot share a fixed host port: Prometheus reaches them by the service name instead.
    expect(services['kyc-worker']!.ports ?? []).toEqual([]);
    const dockerfile = read('Dockerfile');
    const runtimeUser = /^USER\s+(\S+)/m.exec(dockerfile.slice(dockerfile.lastIndexOf('\nFROM ')))?.[1];
    expect(runtimeUser).toBeDefined();
    expect(['root', '0']).not.toContain(runtimeUser);
    for (const name of productServices) expect(services[name]!.user, `${name} keeps the image's user`).toBeUndefined();
    for (const [name, service] of Object.entries(services))
      expect(['root', '0', '0:0'], `${name} is not forced to root`).not.toContain(service.user);
  });

  it('scrapes every worker replica and the receiver on the ports the processes use, with the rules loaded', () => {
    const worker = services['kyc-worker']!.environment!;
    const receiver = services['kyc-webhooks']!.environment!;
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: Array<{
        job_name: string;
        dns_sd_configs?: Array<{ names: string[]; port: number }>;
        static_configs?: Array<{ targets: string[] }>;
      }>;
    };
    expect(prometheus.rule_files).toEqual(['alerts.yml']);
    const job = (name: string) => prometheus.scrape_configs.find((c) => c.job_name === name);
    expect(job('kyc-worker')?.dns_sd_configs?.[0]).toMatchObject({
      names: ['kyc-worker'],
      port: Number(worker.KYC_METRICS_PORT),
    });
    expect(job('kyc-webhooks')?.static_configs?.[0]?.targets).toEqual([
      `kyc-webhooks:${receiver.WEBHOOK_METRICS_PORT}`,
    ]);
    // The same ports as the image's defaults (Dockerfile ENV), which the processes read (worker/ops-config.ts,
    // webhook-receiver/config.ts).
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toContain(`KYC_METRICS_PORT=${worker.KYC_METRICS_PORT}`);
    expect(dockerfile).toContain(`WEBHOOK_METRICS_PORT=${receiver.WEBHOOK_METRICS_PORT}`);
    expect(parseOpsConfig({ KYC_METRICS_PORT: String(worker.KYC_METRICS_PORT) }).KYC_METRICS_PORT).toBe(9464);
    expect(services.prometheus!.volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
    expect(services.grafana!.volumes).toEqual(
      expect.arrayContaining([
        './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
        './deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
    const provider = parse(read('deploy/grafana/provisioning/dashboards/kyc.yml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    expect(provider.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards');
    const datasource = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: Array<{ uid: string; url: string }>;
    };
    expect(datasource.datasources[0]).toMatchObject({ uid: 'kyc-prometheus', url: 'http://prometheus:9090' });
    expect(read('deploy/grafana/dashboards/kyc.json')).toContain('"uid": "kyc-prometheus"');
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

  it('holds no literal secret: each comes from the environment as ${VAR:?…}, and .env.example lists it', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!secretNames.includes(key)) continue;
        expect(String(value), `${name}.${key} is required from the environment`).toMatch(/^\$\{[A-Z_]+:\?[^}]*\}$/);
      }
    }
    expect(composeText).not.toMatch(/sk_(test|live)_|whsec_/);
    expect(composeText).not.toMatch(/^\s*[A-Z_]*(PASSWORD|PWD|SECRET|_KEYS?):\s*[^$\s]/m);
    const versionFile = read('deploy/versions.env');
    const uncommented = composeText.replace(/^\s*#.*$/gm, '');
    for (const used of new Set([...uncommented.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!))) {
      expect(
        envExample.includes(used) || versionFile.includes(`${used}=`),
        `.env.example or deploy/versions.env mentions ${used}`,
      ).toBe(true);
    }
    // Versions are not secrets and live in one place: not repeated in .env.example.
    for (const name of Object.keys(versions)) expect(envExample, name).not.toMatch(new RegExp(`^${name}=`, 'm'));
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)];

  it('is multi-stage, pinned to Node 24, production-only, and runs as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    // Node 24 is the LTS; the argument stays so that a Node 20 image still builds (--build-arg NODE_IMAGE=…).
    const nodeImage = /^ARG NODE_IMAGE=(\S+)/m.exec(dockerfile)?.[1];
    expect(nodeImage).toMatch(/^node:24\.\d+\.\d+-/);
    for (const [, image] of stages) expect(['${NODE_IMAGE}', ...stages.map((stage) => stage[2])]).toContain(image);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const user = /^USER\s+(\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime.indexOf('USER')).toBeLessThan(runtime.indexOf('CMD'));
  });

  it('builds the package once (compiled JavaScript and workflow bundle); the worker loads the bundle by default', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.build).toContain('scripts/build.ts');
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/KYC_WORKFLOW_BUNDLE=\/app\/dist\/workflow-bundle\.js/);
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/worker\/main\.js"\]/m);
  });

  it('compiles every folder the processes run from, and runs only JavaScript (no TypeScript loader)', () => {
    const build = dockerfile.slice(0, dockerfile.lastIndexOf('\nFROM '));
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    for (const folder of [
      'workflows',
      'activities',
      'common',
      'worker',
      'webhook',
      'webhook-receiver',
      'codec-server',
      'cli',
      'client',
    ]) {
      expect(build, folder).toMatch(new RegExp(`^COPY ${folder} \\./${folder}$`, 'm'));
      expect(runtime, `${folder} sources stay out of the image`).not.toMatch(new RegExp(`^COPY ${folder} `, 'm'));
    }
    expect(runtime).toMatch(/^COPY bin \.\/bin$/m);
    expect(runtime).not.toMatch(/tsx/);
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
