// A worker dies while its run waits; a status query arrives right after. The query waits on the dead worker's
// sticky queue, then falls back to the task queue, where another worker takes it — after the run received new
// events (a fired poll timer; a submit result). That worker applies them under the clock of the run's last workflow
// task: had the run decided by that clock (poll not due yet; the review started back then, so escalate now), its
// history would no longer replay (the chaos run found both; workflows/stale-activation.ts). The run must fail that
// query instead, then go on from its history under the true clock, end verified, and replay cleanly.
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { kycStartOptions } from '../client/start-options';
import { spawnWorker, type ProductProcess } from '../scripts/chaos/processes';
import { spawnProductProcess } from '../scripts/product-process';
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
// One task queue a test: no worker of one may take the other's run.
const taskQueues = { timer: `kyc-stale-timer-${process.pid}`, submit: `kyc-stale-submit-${process.pid}` };

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

const startWorkflowOnlyWorker = async (taskQueue: string) => {
  const worker = await spawnProductProcess(
    'test/support/workflow-only-worker.ts',
    { TEMPORAL_ADDRESS: server.address, KYC_TASK_QUEUE: taskQueue, KYC_WORKFLOW_BUNDLE: workflowBundle().codePath },
    /workflow-only worker \d+ polling/,
  );
  workers.push(worker);
  return worker;
};

const startWorker = async (taskQueue: string) => {
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

describe('a query that reaches a worker with events newer than its clock', () => {
  it(
    'a fired timer: fails that query, then the run polls, ends verified, and its history replays',
    { timeout: 90_000 },
    async () => {
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
      const first = await startWorker(taskQueues.timer);
      const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, taskQueues.timer));
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
      await startWorker(taskQueues.timer);
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
    },
  );

  it(
    'a submit result: fails that query; the review starts after the submit, and the history replays',
    { timeout: 120_000 },
    async () => {
      const client = new Client({ connection });
      const samples = await writeSampleDocuments(workDir);
      const customerId = await rail.createCustomer(`stale-submit-${Date.now().toString(36)}`);
      // Every partner call takes 5 s: the submit is still running when the worker holding the run dies and the query
      // is sent, and it ends (with its workflow task pending on the dead worker's queue for 10 s) before the query
      // falls back to the task queue.
      await rail.faults(customerId, { latencyMs: 5_000 });
      const input: KycInput = {
        customerId,
        customerReference: `stale-submit-${customerId}`,
        documents: [
          { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
          { category: 'proof_of_address', filename: 'bill.pdf', contentType: 'application/pdf', source: samples.pdf },
        ],
        // Escalation 3 s into the review: the run's last task before the kill is > 3 s older than its next one, so a
        // review started by that stale clock would be escalated at once, and not on replay (the chaos run's case).
        timing: { firstPollAfter: '1s', maxPollInterval: '2s', escalateAfter: '3s' },
      };
      // The run's workflow tasks go to a worker that runs no activity; the activities go to the product worker.
      const holder = await startWorkflowOnlyWorker(taskQueues.submit);
      const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, taskQueues.submit));
      await startWorker(taskQueues.submit);
      const submitScheduled = async () =>
        ((await handle.fetchHistory()).events ?? []).some(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'submitKyc',
        );
      for (const deadline = Date.now() + 60_000; !(await submitScheduled());) {
        if (Date.now() > deadline) throw new Error('the run never scheduled its submit');
        await new Promise((r) => setTimeout(r, 50));
      }

      // The holder took every workflow task so far, so the run's next one will wait on its sticky queue.
      const identities = ((await handle.fetchHistory()).events ?? []).flatMap((e) =>
        e.workflowTaskStartedEventAttributes ? [e.workflowTaskStartedEventAttributes.identity] : [],
      );
      expect(new Set(identities)).toEqual(new Set([`${holder.child.pid}@${hostname()}`]));
      await holder.kill();
      const asked = handle.query(statusQuery).then(
        (status) => ({ answered: status.stage }),
        (err: Error) => ({ failed: reasonOf(err) }),
      );
      expect(await asked).toEqual({ failed: expect.stringMatching(/StaleWorkflowClock|clock is stale/) });
      await rail.faults(customerId, { latencyMs: 0 });

      await rail.decide(customerId, 'verify');
      const result = await handle.result();
      expect(result).toMatchObject({ customerId, status: 'verified' });
      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      const submitted = events.find(
        (e) =>
          e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED &&
          events.find((s) => Number(s.eventId) === Number(e.activityTaskCompletedEventAttributes?.scheduledEventId))
            ?.activityTaskScheduledEventAttributes?.activityType?.name === 'submitKyc',
      );
      // The review started when a workflow task saw the submit's result, not at the clock of the task before it.
      const pendingSince = Date.parse((await handle.query(statusQuery)).pendingSince!);
      expect(pendingSince).toBeGreaterThanOrEqual(eventTimeMs(submitted!));
      expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toEqual([]);
      await expect(
        Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, handle.workflowId),
      ).resolves.toBeUndefined();
    },
  );
});

function eventTimeMs(event: temporal.api.history.v1.IHistoryEvent): number {
  const { seconds, nanos } = event.eventTime!;
  return Number(seconds) * 1000 + Math.floor((nanos ?? 0) / 1e6);
}

/** The client wraps a server error ("Failed to query Workflow"); its cause says which, should a run go otherwise. */
function reasonOf(err: Error): string {
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}
