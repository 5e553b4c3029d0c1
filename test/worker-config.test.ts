// The worker's configuration: every bad or missing variable is named at start, before anything runs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../scripts/toolchain';
import { ConfigError, parseWorkerConfig, sourcePolicyWarnings } from '../worker/config';
import { temporalTarget } from '../worker/connection';

const minimal = { TECHNEST_API_URL: 'http://127.0.0.1:4010', TECHNEST_API_KEY: 'sk_live_x' };

describe('worker configuration', () => {
  it('fills the documented defaults', () => {
    expect(parseWorkerConfig(minimal)).toMatchObject({
      KYC_TASK_QUEUE: 'kyc',
      KYC_MAX_FILE_BYTES: 10 * 1024 * 1024,
    });
    expect(parseWorkerConfig(minimal).KYC_EVENTS_URL).toBeUndefined();
    expect(temporalTarget({})).toMatchObject({ connectionOptions: { address: '127.0.0.1:7233' }, namespace: 'default' });
    expect(temporalTarget({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'kyc-prod' })).toMatchObject({
      connectionOptions: { address: 'temporal:7233' },
      namespace: 'kyc-prod',
    });
  });

  it('names every missing or bad variable at once', () => {
    const attempt = () =>
      parseWorkerConfig({ TECHNEST_API_URL: 'ftp://partner', KYC_MAX_FILE_BYTES: 'lots', KYC_EVENTS_URL: 'not a url' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/TECHNEST_API_KEY: is required/);
    expect(attempt).toThrow(/TECHNEST_API_URL: must be an http\(s\) URL/);
    expect(attempt).toThrow(/KYC_MAX_FILE_BYTES/);
    expect(attempt).toThrow(/KYC_EVENTS_URL/);
  });

  it('reads the source bounds as lists and warns when they are unset', () => {
    const config = parseWorkerConfig({ ...minimal, KYC_SOURCE_ROOTS: '/var/kyc, /srv/uploads', KYC_SOURCE_HOSTS: '' });
    expect(config.KYC_SOURCE_ROOTS).toEqual(['/var/kyc', '/srv/uploads']);
    expect(sourcePolicyWarnings(config)).toEqual([expect.stringContaining('KYC_SOURCE_HOSTS is unset')]);
  });

  it('the worker process exits 1 with the variable named, and never prints the API key', () => {
    const run = spawnSync(process.execPath, [join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), 'worker/main.ts'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, TECHNEST_API_KEY: 'sk_secret_never_printed', TECHNEST_API_URL: 'nope' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('TECHNEST_API_URL: must be an http(s) URL');
    expect(run.stdout + run.stderr).not.toContain('sk_secret_never_printed');
  });
});
