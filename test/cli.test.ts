// The `kyc` CLI as an operator runs it: a child process against the dev server, a real KYC worker and the
// partner sandbox. Each spawn costs about a second of tsx start-up, so assertions are grouped per spawn.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeConnection } from '@temporalio/worker';
import { KycClient } from '../client/kyc-client';
import { verifyWebhookSignature } from '../common/webhook-signature';
import { customerIdProblem } from '../workflows/customer-id';
import { customerVerified, kycWorkflowId, searchableStages } from '../workflows/messages';
import { pollUntil, runKyc } from './support/cli-run';
import { startKycHarness, type KycHarness } from './support/kyc-harness';
import { verifiedData } from './support/decisions';
import { listenOnFreePort } from '../scripts/ports';
import { devServerAddress } from './support/temporal';

let nativeConnection: NativeConnection;
let h: KycHarness;
let kyc: Awaited<ReturnType<typeof KycClient.connect>>;
let env: Record<string, string>;

beforeAll(async () => {
  nativeConnection = await NativeConnection.connect({ address: devServerAddress() });
  h = await startKycHarness(nativeConnection);
  env = { TEMPORAL_ADDRESS: devServerAddress(), KYC_TASK_QUEUE: h.taskQueue };
  kyc = await KycClient.connect(env);
});

afterAll(async () => {
  await kyc?.close();
  await h?.close();
  await nativeConnection?.close();
});

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at /);

describe('kyc CLI', () => {
  it('start, status, list and result for one customer', async () => {
    const reference = `cli-${Date.now().toString(36)}`;
    const customerId = await h.rail.createCustomer(reference);
    const [jpeg, , pdf] = h.documents;

    const started = await runKyc(
      [
        'start',
        '--json',
        '--customer-id',
        customerId,
        '--reference',
        reference,
        `id_document=${jpeg!.source}`,
        `proof_of_address=${pdf!.source}`,
      ],
      env,
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ workflowId: `kyc-${customerId}`, alreadyStarted: false });

    await pollUntil('pending_review', async () => (await kyc.status(customerId)).stage === 'pending_review');
    await pollUntil(
      'the run in visibility as pending_review',
      async () => (await kyc.list({ status: 'pending_review', customerReference: reference })).length > 0,
    );
    const [status, human, listed] = await Promise.all([
      runKyc(['status', customerId, '--json'], env),
      runKyc(['status', customerId], env),
      runKyc(['list', '--json', '--status', 'pending_review', '--reference', reference], env),
    ]);
    expect(status.code).toBe(0);
    const answer = JSON.parse(status.stdout);
    expect(answer).toMatchObject({ stage: 'pending_review', customerId, customerReference: reference });
    expect(answer.files.map((f: { filename: string; category: string }) => [f.category, f.filename])).toEqual([
      ['id_document', 'passport.jpg'],
      ['proof_of_address', 'bill.pdf'],
    ]);
    expect(human.stdout).toMatch(/pending_review/);
    expect(human.stdout).toMatch(/files\s+2\/2 uploaded/);
    expect(human.stdout).toMatch(/pending\s+since/);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        customerId,
        customerReference: reference,
        status: 'pending_review',
        executionStatus: 'RUNNING',
      }),
    ]);

    // The decision arrives while `result --wait` is already waiting.
    const waiting = runKyc(['result', '--json', '--wait', customerId], env);
    await h.rail.decide(customerId, 'verify');
    await kyc.client.workflow
      .getHandle(kycWorkflowId(customerId))
      .signal(customerVerified, verifiedData(customerId, reference));
    const result = await waiting;
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'verified', customerId, customerReference: reference });
  });

  it('help, usage errors and an unreachable Temporal: one line, the right exit code, no stack', async () => {
    const [help, startHelp, unknown, badDocument, badExtension, unreachable] = await Promise.all([
      runKyc(['--help']),
      runKyc(['start', '--help']),
      runKyc(['frobnicate']),
      runKyc(['start', '--customer-id', 'ckcust_x', '--reference', 'r', 'passport=./x.jpg'], env),
      runKyc(['start', '--customer-id', 'ckcust_x', '--reference', 'r', `id_document=${h.docsDir}/scan.gif`], env),
      runKyc(['status', 'ckcust_x'], { TEMPORAL_ADDRESS: '127.0.0.1:1' }),
    ]);
    expect(help.code).toBe(0);
    for (const command of ['start', 'status', 'list', 'result', 'retry', 'resume', 'webhook'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(help.stdout).toMatch(/Examples:/);
    expect(startHelp.code).toBe(0);
    expect(startHelp.stdout).toMatch(/kyc start --customer-id ckcust_123/);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    expect(badDocument.code).toBe(2);
    expect(badDocument.stderr).toMatch(/unknown document category "passport"/);
    expect(badExtension.code).toBe(2);
    expect(badExtension.stderr).toMatch(/\.jpg, \.jpeg, \.png or \.pdf/);
    await expect(kyc.describe('ckcust_x')).rejects.toThrow(/no KYC run/);

    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1 \(TEMPORAL_ADDRESS\)/);
    for (const run of [unknown, badDocument, badExtension, unreachable]) {
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      noStack(run.stderr);
    }
  });

  it('customer ids and --status stages outside what can ever match: usage errors (exit 2) naming what is valid', async () => {
    const [badId, badRetry, attaching, listHelp, resumeHelp] = await Promise.all([
      runKyc(['status', 'ckcust_a/b'], env),
      runKyc(['retry', 'ckcust_1', '--customer-id', 'cus_2', `id_document=${h.documents[0]!.source}`], env),
      runKyc(['list', '--status', 'attaching'], env),
      runKyc(['list', '--help']),
      runKyc(['resume', '--help']),
    ]);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain(`CUSTOMER_ID "ckcust_a/b" ${customerIdProblem}`);
    expect(badRetry.code).toBe(2);
    expect(badRetry.stderr).toContain(`--customer-id "cus_2" ${customerIdProblem}`);
    expect(attaching.code).toBe(2);
    expect(attaching.stderr).toContain(`--status must be one of ${searchableStages.join(', ')} (got "attaching")`);
    for (const run of [badId, badRetry, attaching]) {
      expect(run.stdout).toBe('');
      noStack(run.stderr);
    }
    // The help offers exactly the stages written to KycStatus.
    expect(listHelp.stdout).toContain(`--status STAGE   one of ${searchableStages.join(', ')} `);
    expect(listHelp.stdout).not.toMatch(/attaching|submitting/);
    expect(resumeHelp.code).toBe(0);
    expect(resumeHelp.stdout).toMatch(/^Usage: kyc resume CUSTOMER_ID/);
    expect(resumeHelp.stdout).toMatch(/kyc resume ckcust_123/);
  });

  it('resume: says what it found for an unknown, an open, a completed and a terminated run', async () => {
    const reference = `cli-resume-${Date.now().toString(36)}`;
    const customerId = await h.rail.createCustomer(reference);
    const started = await kyc.start({ customerId, customerReference: reference, documents: h.documents });
    await pollUntil('pending_review', async () => (await kyc.status(customerId)).stage === 'pending_review');

    const [unknown, open] = await Promise.all([
      runKyc(['resume', 'ckcust_nobody_at_all'], env),
      runKyc(['resume', customerId], env),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no KYC run for customer ckcust_nobody_at_all/);
    expect(open.code).toBe(0);
    expect(open.stdout).toMatch(
      new RegExp(`^running: kyc-${customerId} \\(run ${started.runId}\\) is open; nothing to resume`),
    );

    await kyc.client.workflow.getHandle(kycWorkflowId(customerId)).terminate('operator mistake');
    const resumed = await runKyc(['resume', customerId, '--json'], env);
    expect(resumed.code).toBe(0);
    const answer = JSON.parse(resumed.stdout);
    expect(answer).toMatchObject({
      action: 'resumed',
      workflowId: `kyc-${customerId}`,
      previousRunId: started.runId,
      previousStatus: 'TERMINATED',
    });
    expect((await kyc.describe(customerId)).runId).toBe(answer.runId);

    await pollUntil('pending_review again', async () => (await kyc.status(customerId)).stage === 'pending_review');
    await h.rail.decide(customerId, 'verify');
    await kyc.client.workflow
      .getHandle(kycWorkflowId(customerId))
      .signal(customerVerified, verifiedData(customerId, reference));
    await kyc.result(customerId);
    const completed = await runKyc(['resume', customerId], env);
    expect(completed.code).toBe(1);
    expect(completed.stderr).toMatch(/already decided: verified/);
    noStack(completed.stderr);
  });

  it('status shows refused signals and the events to the backend', async () => {
    const reference = `cli-refused-${Date.now().toString(36)}`;
    const customerId = await h.rail.createCustomer(reference);
    await kyc.start({ customerId, customerReference: reference, documents: h.documents });
    await pollUntil('pending_review', async () => (await kyc.status(customerId)).stage === 'pending_review');
    // Sent by hand, as an operator might with `temporal workflow signal` and no --input: refused, never fatal.
    await kyc.client.workflow.getHandle(kycWorkflowId(customerId)).signal('customerVerified');
    await pollUntil('the refusal in status', async () => (await kyc.status(customerId)).refusedSignals.length > 0);
    await pollUntil('kyc.submitted delivered', async () =>
      (await kyc.status(customerId)).events.delivered.includes('kyc.submitted'),
    );

    const human = await runKyc(['status', customerId], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ {2}signals\s+1 refused; newest customerVerified at \S+: .+$/m);
    expect(human.stdout).toMatch(/^ {2}events\s+none pending; delivered kyc\.submitted$/m);
  });

  it('webhook: posts the partner event, signed with every --secret', async () => {
    const received: Array<{ path?: string; body: string; valid: boolean; signature?: string }> = [];
    const receiver: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const signature = req.headers['technest-signature'] as string | undefined;
        // Only the old key: a delivery signed during rotation must still pass.
        const valid = verifyWebhookSignature(signature, body, ['old-secret']).ok;
        received.push({ path: req.url, body, valid, signature });
        res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(valid ? { delivered: true } : { error: 'bad signature' }));
      });
    });
    const url = `http://127.0.0.1:${await listenOnFreePort(receiver)}`;
    // A run to look the reference up from, when --reference is left out.
    const lookedUpReference = `cli-hook-${Date.now().toString(36)}`;
    const lookedUp = await h.rail.createCustomer(lookedUpReference);
    await kyc.start({ customerId: lookedUp, customerReference: lookedUpReference, documents: h.documents });
    try {
      const [rejected, unsigned] = await Promise.all([
        runKyc([
          'webhook',
          '--json',
          'rejected',
          '--url',
          url,
          '--secret',
          'new-secret',
          '--secret',
          'old-secret',
          '--customer-id',
          'ckcust_hook',
          '--reference',
          'pouch-user-1',
          '--reason',
          'ID document expired',
        ]),
        runKyc(
          ['webhook', 'verified', '--url', `${url}/webhooks/technest`, '--secret', 'wrong', '--customer-id', lookedUp],
          env,
        ),
      ]);
      expect(rejected.code).toBe(0);
      expect(JSON.parse(rejected.stdout)).toMatchObject({ status: 200, ok: true, body: { delivered: true } });
      expect(unsigned.code).toBe(1);
      expect(unsigned.stdout).toMatch(/^401 .*bad signature/);

      const delivery = received.find((r) => r.valid);
      expect(delivery?.path).toBe('/webhooks/technest');
      expect(delivery?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
      expect(JSON.parse(delivery!.body)).toEqual({
        event: 'customer_rejected',
        data: {
          object: 'customer',
          id: 'ckcust_hook',
          customer_reference: 'pouch-user-1',
          status: 'rejected',
          rejected_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
          rejection_reason: 'ID document expired',
        },
      });
      const refused = received.filter((r) => !r.valid).map((r) => JSON.parse(r.body));
      expect(refused).toEqual([
        {
          event: 'customer_verified',
          data: expect.objectContaining({ id: lookedUp, customer_reference: lookedUpReference, status: 'verified' }),
        },
      ]);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});
