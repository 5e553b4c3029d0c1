// Helpers for the activity tests: run an activity inside a mock activity Context (heartbeats,
// cancellation, attempt number), a tiny scriptable HTTP server, and failure assertions.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { listenOnFreePort } from '../../scripts/ports';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Rail } from '../../sandbox/control-client';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { writeSampleDocuments, type SampleDocuments } from './fixtures';
import {
  createActivities,
  createUploadSteps,
  type ActivityDeps,
  type KycActivities,
  type UploadSteps,
} from '../../activities';

export const TEST_API_KEY = 'sk_test_technest_sandbox';

export interface ActivityRun {
  env: MockActivityEnvironment;
  heartbeats: unknown[];
  /** Every log entry the activity wrote (kept, not printed), so tests can check what logs reveal. */
  logs: LogEntry[];
}

/** A fresh mock Context per call: `attempt` sets Context.current().info.attempt. */
export function activityEnv(info: { attempt?: number } = {}): ActivityRun {
  const logs: LogEntry[] = [];
  const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('TRACE', (entry) => logs.push(entry)) });
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  return { env, heartbeats, logs };
}

/** All log lines and their metadata as one string, for "never contains" assertions. */
export function logText(run: ActivityRun): string {
  return run.logs.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.meta ?? {})}`).join('\n');
}

type Activities = KycActivities & UploadSteps;

/** Runs one activity (or upload step) in a mock Context. */
export function run<K extends keyof Activities>(
  activities: Activities,
  name: K,
  arg: Parameters<Activities[K]>[0],
  env: ActivityRun = activityEnv(),
): Promise<Awaited<ReturnType<Activities[K]>>> {
  const fn = activities[name] as (a: typeof arg) => Promise<Awaited<ReturnType<Activities[K]>>>;
  return env.env.run(fn, arg);
}

/** The worker's activities plus the two upload steps on their own, all against `partnerUrl`. */
export function activitiesFor(partnerUrl: string, overrides: Partial<ActivityDeps> = {}): Activities {
  const deps = { partnerUrl, partnerApiKey: TEST_API_KEY, maxFileBytes: 10 * 1024 * 1024, ...overrides };
  return { ...createActivities(deps), ...createUploadSteps(deps) };
}

/** Awaits a rejection and returns it as an ApplicationFailure (fails the test otherwise). */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw new Error(`expected an ApplicationFailure, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A tiny node:http server answering with `handler`; records every request with its body. */
export async function startFakeServer(handler: (req: RecordedRequest, res: ServerResponse) => void) {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A URL on a port nobody listens on. */
export { unusedUrl } from '../../scripts/ports';

/**
 * The partner sandbox, an activity set wired to it and real sample documents, for a test file that runs activities
 * against the sandbox: started before the file's tests, closed after. Read the fields inside tests (they are set by
 * then).
 */
export function activitySandbox(name: string) {
  const ctx = {} as { sandbox: Sandbox; rail: Rail; activities: Activities; dir: string; samples: SampleDocuments };
  beforeAll(async () => {
    ctx.sandbox = await startSandbox({ apiKey: TEST_API_KEY, review: { outcome: 'never' } });
    ctx.rail = new Rail(ctx.sandbox.url, TEST_API_KEY);
    ctx.activities = activitiesFor(ctx.sandbox.url);
    ctx.dir = await mkdtemp(join(tmpdir(), `kyc-${name}-`));
    ctx.samples = await writeSampleDocuments(ctx.dir);
  });
  afterAll(async () => {
    await ctx.sandbox.close();
    await rm(ctx.dir, { recursive: true, force: true });
  });
  return ctx;
}
