// A worker dies while its run waits for the first poll; a status query arrives right after. The query waits on
// the dead worker's sticky queue, then falls back to the task queue, where another worker takes it — after the
// poll timer fired. That worker sees the TimerFired event under the clock of the run's last workflow task: had
// the run decided by that clock (poll not due yet: a new timer), its history would no longer replay (a chaos run
// found this; workflows/stale-activation.ts). The run must fail that query instead, then go on from its history under
// the true clock: poll, end verified, and replay cleanly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { kycStartOptions } from '../client/start-options';
import { spawnWorker, type ProductProcess } from '../scripts/chaos/processes';
import { startDevServer, type DevServer } from '../scripts/dev-server';
import { freePorts } from '../scripts/ports';
import { Rail } from '../sandbox/control-client';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { kycWorkflow } from '../workflows';
import type { KycInput } from '../workflows/input';
import { statusQuery } from '../workflows/messages';
import { writeSampleDocuments } from './support/fixtures';
import { workflowBundle } from './support/temporal';

const EventType = temporal.api.enums.v1.EventType;
const wftEvents = new Set<temporal.api.enums.v1.EventType>([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
]);
const workDir = mkdtempSync(join(tmpdir(), 'kyc-stale-clock-'));
let server: DevServer;
let sandbox: Sandbox;
let rail: Rail;
let connection: Connection;
const workers: ProductProcess[] = [];
const taskQueue = `kyc-stale-clock-${process.pid}`;

beforeAll(async () => {
  const [port, uiPort] = await freePorts(2);
  server = await startDevServer({ port: port!, uiPort: uiPort!, logFile: join(workDir, 'temporal-server.log') });
  sandbox = await startSandbox({ review: { outcome: 'never' } });
  rail = new Rail(sandbox.url);
  connection = await Connection.connect({ address: server.address });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await connection?.close();
  await server?.stop();
  await sandbox?.close();
  rmSync(workDir, { recursive: true, force: true });
});

const startWorker = async () => {
  const worker = await spawnWorker({
    temporalAddress: server.address,
    taskQueue,
    partnerUrl: sandbox.url,
    partnerApiKey: rail.apiKey,
    sourceRoot: workDir,
    workflowBundlePath: workflowBundle().codePath,
  });
  workers.push(worker);
  return worker;
};

describe('a query that reaches a worker with a timer newer than its clock', () => {
  it('fails that query, then the run polls, ends verified, and its history replays', { timeout: 90_000 }, async () => {
    const client = new Client({ connection });
    const samples = await writeSampleDocuments(workDir);
    const customerId = await rail.createCustomer(`stale-clock-${Date.now().toString(36)}`);
    const input: KycInput = {
      customerId,
      customerReference: `stale-clock-${customerId}`,
      documents: [
        { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
        { category: 'proof_of_address', filename: 'bill.pdf', contentType: 'application/pdf', source: samples.pdf },
      ],
      // The first poll 5 s after submit: the worker dies and the query is sent before it falls due (the query must
      // be waiting on the dead worker when the timer fires, to fall back before the workflow task does).
      timing: { firstPollAfter: '5s', maxPollInterval: '5s', escalateAfter: '1h' },
    };
    const first = await startWorker();
    const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, taskQueue));
    // Idle between tasks: the poll timer started, the kyc.submitted event sent, no workflow task in flight.
    const idleUntilFirstPoll = async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const count = (type: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === type).length;
      const lastTask = events.filter((e) => wftEvents.has(e.eventType!)).at(-1);
      return (
        count(EventType.EVENT_TYPE_TIMER_STARTED) === 1 &&
        count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) === count(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) &&
        lastTask?.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
      );
    };
    for (const deadline = Date.now() + 30_000; !(await idleUntilFirstPoll());) {
      if (Date.now() > deadline) throw new Error('the run never settled waiting for its first poll');
      await new Promise((r) => setTimeout(r, 50));
    }

    await first.kill();
    const asked = handle.query(statusQuery).then(
      (status) => ({ answered: status.stage }),
      (err: Error) => ({ failed: reasonOf(err) }),
    );
    await startWorker();
    // Answered ~10 s later, by the new worker, from the task queue: the poll timer fired in between.
    expect(await asked).toEqual({ failed: expect.stringMatching(/StaleWorkflowClock|clock is stale/) });

    await rail.decide(customerId, 'verify');
    const result = await handle.result();
    expect(result).toMatchObject({ customerId, status: 'verified' });
    expect((await handle.query(statusQuery)).outcome).toMatchObject({ status: 'verified', via: 'poll' });

    const history = await handle.fetchHistory();
    // The stale activation was a query's: no workflow task failed, and the poll ran under the true clock.
    const events = history.events ?? [];
    expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toEqual([]);
    expect(
      events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'pollCustomerDecision'),
    ).toHaveLength(1);
    await expect(
      Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, handle.workflowId),
    ).resolves.toBeUndefined();
  });
});

/** The client wraps a server error ("Failed to query Workflow"); its cause says which, should a run go otherwise. */
function reasonOf(err: Error): string {
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}
