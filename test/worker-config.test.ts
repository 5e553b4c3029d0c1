// The worker's configuration: every bad or missing variable is named at start, before anything runs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../scripts/toolchain';
import { ConfigError } from '../common/env';
import { parseWorkerConfig, sourcePolicyWarnings } from '../worker/config';
import { temporalTarget } from '../common/connection';

const minimal = { TECHNEST_API_URL: 'http://127.0.0.1:4010', TECHNEST_API_KEY: 'sk_live_x' };

describe('worker configuration', () => {
  it('fills the documented defaults', () => {
    expect(parseWorkerConfig(minimal)).toMatchObject({
      KYC_TASK_QUEUE: 'kyc',
      KYC_MAX_FILE_BYTES: 10 * 1024 * 1024,
      KYC_MIN_POLL_INTERVAL: 60_000,
      KYC_SOURCE_ATTEMPTS: 5,
      // Two calls (a submit's POST and GET) must fit one 30 s partner activity attempt.
      KYC_REQUEST_TIMEOUT: 10_000,
    });
    expect(parseWorkerConfig(minimal).KYC_EVENTS_URL).toBeUndefined();
    expect(temporalTarget({})).toMatchObject({
      connectionOptions: { address: '127.0.0.1:7233' },
      namespace: 'default',
    });
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

  it('reads the poll floor, the source attempts and the request timeout as durations and counts', () => {
    const config = parseWorkerConfig({
      ...minimal,
      KYC_MIN_POLL_INTERVAL: '30s',
      KYC_SOURCE_ATTEMPTS: '2',
      KYC_REQUEST_TIMEOUT: '2500',
    });
    expect(config).toMatchObject({ KYC_MIN_POLL_INTERVAL: 30_000, KYC_SOURCE_ATTEMPTS: 2, KYC_REQUEST_TIMEOUT: 2_500 });
    // Tests may lower the poll floor to a millisecond.
    expect(parseWorkerConfig({ ...minimal, KYC_MIN_POLL_INTERVAL: '1' }).KYC_MIN_POLL_INTERVAL).toBe(1);
  });

  it('refuses a poll floor or source attempts that are not positive, naming the variable', () => {
    const attempt = () => parseWorkerConfig({ ...minimal, KYC_MIN_POLL_INTERVAL: '0', KYC_SOURCE_ATTEMPTS: '-1' });
    expect(attempt).toThrow(/KYC_MIN_POLL_INTERVAL: must be a positive duration such as 1m or 30s/);
    expect(attempt).toThrow(/KYC_SOURCE_ATTEMPTS: must be a positive integer/);
    expect(() => parseWorkerConfig({ ...minimal, KYC_MIN_POLL_INTERVAL: 'often' })).toThrow(/KYC_MIN_POLL_INTERVAL/);
  });

  it('refuses a request timeout that is not below half of a 30 s partner activity', () => {
    for (const value of ['15s', '30s', '20000']) {
      expect(() => parseWorkerConfig({ ...minimal, KYC_REQUEST_TIMEOUT: value })).toThrow(
        /KYC_REQUEST_TIMEOUT: must be below 15 s, half of a partner activity's 30 s/,
      );
    }
    expect(parseWorkerConfig({ ...minimal, KYC_REQUEST_TIMEOUT: '14s' }).KYC_REQUEST_TIMEOUT).toBe(14_000);
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
