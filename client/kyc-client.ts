// What a backend imports to run KYC: start a customer's submission, read its status and outcome, retry a rejected
// customer under the partner's rules (docs/partner-api.md, "A rejected customer"), resume a run that failed or was
// terminated from the partner's record, and find runs by stage or reference.
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type ClientInterceptors,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporalTarget } from '../common/connection';
import { dataConverterFromEnv } from '../common/data-converter';
import { PayloadKeysError } from '../common/payload-codec';
import { defaultTaskQueue } from '../common/task-queue';
import type { kycWorkflow } from '../workflows';
import { customerIdProblem, isCustomerId } from '../workflows/customer-id';
import { parseKycInput, type KycInput } from '../workflows/input';
import {
  kycWorkflowId,
  statusQuery,
  type KycResult,
  type KycResume,
  type KycStage,
  type KycStatusReply,
} from '../workflows/messages';
import { retryCustomerReference } from '../workflows/rejection';
import { CustomerReference, KycStatus as KycStatusAttribute } from '../workflows/search-attributes';
import { inClientSpan } from './client-span';
import { kycStartOptions } from './start-options';
import { kycListQuery, listLimit, type KycListFilter } from './visibility';

export { InvalidListFilterError, isListableStage, listableStages, type ListableStage } from './visibility';

/** Every error a caller is expected to handle (and the CLI prints as one line, without a stack). */
export class KycClientError extends Error {
  override name = 'KycClientError';
}
export class InvalidKycInputError extends KycClientError {
  override name = 'InvalidKycInputError';
  constructor(readonly problems: string[]) {
    super(`Invalid KYC input: ${problems.join('; ')}`);
  }
}
export class KycRunNotFoundError extends KycClientError {
  override name = 'KycRunNotFoundError';
  constructor(readonly customerId: string) {
    super(`no KYC run for customer ${customerId} (workflow ${kycWorkflowId(customerId)} not found)`);
  }
}
/** A customer id that is not the partner's (workflows/customer-id.ts): refused before Temporal is asked. */
export class InvalidCustomerIdError extends KycClientError {
  override name = 'InvalidCustomerIdError';
  constructor(readonly customerId: string) {
    super(`invalid customer id ${JSON.stringify(customerId)}: ${customerIdProblem}`);
  }
}
export class KycRetryRefusedError extends KycClientError {
  override name = 'KycRetryRefusedError';
}
/** Nothing to resume: the run already holds the partner's decision, or its input could never run. */
export class KycResumeRefusedError extends KycClientError {
  override name = 'KycResumeRefusedError';
}
export class KycStillRunningError extends KycClientError {
  override name = 'KycStillRunningError';
}
/** The run ended without a partner decision (bad input, terminated, …): there is no KycResult to give. */
export class KycRunFailedError extends KycClientError {
  override name = 'KycRunFailedError';
}
export class TemporalUnreachableError extends KycClientError {
  override name = 'TemporalUnreachableError';
  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    super(`cannot reach Temporal at ${address} (TEMPORAL_ADDRESS): ${reason}`, { cause });
  }
}

export interface StartedKyc {
  workflowId: string;
  runId: string;
  /** True when this customer's run already existed: nothing new was started. */
  alreadyStarted: boolean;
}

export interface RetryInput {
  /** The new customer the backend created at the partner, with the reference the rejected run handed out. */
  customerId: string;
  documents: KycInput['documents'];
  /** Defaults to the rejected run's country and timing. */
  country?: string;
  timing?: KycInput['timing'];
}

/** What `resume` found and did. */
export type ResumedKyc =
  /** The run is open: it carries on by itself (a verdict reaches it by webhook or by polling). */
  | { action: 'running'; workflowId: string; runId: string }
  /** A new run on the same workflow id, started from the last run's input; it reads the partner's customer first. */
  | {
      action: 'resumed';
      workflowId: string;
      runId: string;
      previousRunId: string;
      /** How the previous run ended: FAILED, TERMINATED, CANCELLED or TIMED_OUT. */
      previousStatus: string;
    };

/** How many references `retry` tries past the rejected run's own before giving up (each one a visibility query). */
export const maxRetryReferenceCandidates = 20;

export interface ListedKyc {
  workflowId: string;
  runId: string;
  customerId: string;
  customerReference: string;
  /** The KycStatus search attribute: the last stage worth searching for. */
  status: KycStage | undefined;
  /** Temporal's view: RUNNING, COMPLETED, FAILED, … (a run that failed on bad input stays at `validating`). */
  executionStatus: string;
  startTime: Date;
  closeTime?: Date;
  retryOf?: string;
  attempt?: number;
}

/** Long enough for a TLS handshake to a cloud namespace; short enough that a wrong address is reported promptly. */
const connectTimeout = '5s';

export interface KycConnectOptions {
  /**
   * Temporal client interceptors, e.g. `setupTracing(…).clientInterceptors` (kyc-worker/tracing) so that the start
   * call's trace continues into the run, its activities and their HTTP calls to the partner.
   */
  interceptors?: ClientInterceptors;
}

export class KycClient {
  readonly taskQueue: string;
  private connection?: Connection;

  constructor(
    readonly client: Client,
    options: { taskQueue?: string } = {},
  ) {
    this.taskQueue = options.taskQueue || process.env.KYC_TASK_QUEUE || defaultTaskQueue;
  }

  /** Connects as the `temporal` CLI would (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, API key / TLS per envconfig). */
  static async connect(
    env: NodeJS.ProcessEnv = process.env,
    options: KycConnectOptions = {},
  ): Promise<KycClient & { close(): Promise<void> }> {
    const { connectionOptions, namespace } = temporalTarget(env);
    const { address, tls, apiKey, metadata } = connectionOptions;
    let dataConverter;
    try {
      // KYC_PAYLOAD_KEYS: the same keys as the worker, or encrypted inputs, results and queries cannot be read.
      dataConverter = dataConverterFromEnv(env);
    } catch (err) {
      if (err instanceof PayloadKeysError) throw new KycClientError(err.message);
      throw err;
    }
    let connection: Connection;
    try {
      connection = await Connection.connect({ address, tls, apiKey, metadata, connectTimeout });
    } catch (err) {
      throw new TemporalUnreachableError(String(address), err);
    }
    const { interceptors } = options;
    const client = new Client({ connection, namespace, dataConverter, ...(interceptors ? { interceptors } : {}) });
    const kyc = new KycClient(client, { taskQueue: env.KYC_TASK_QUEUE });
    kyc.connection = connection;
    return kyc;
  }

  /** Closes the connection `connect` opened; a client built around someone else's connection leaves it alone. */
  async close(): Promise<void> {
    await this.connection?.close();
  }

  /** Starts the customer's KYC run, or returns the one that already exists. Bad input starts nothing. */
  async start(input: KycInput): Promise<StartedKyc> {
    assertValid(input);
    const options = kycStartOptions(input, this.taskQueue);
    return inClientSpan('KycClient.start', options.workflowId, () => this.startOnce(options));
  }

  /** The `status` query: where the run is, files uploaded, polls, escalation, outcome. */
  async status(customerId: string): Promise<KycStatusReply> {
    assertCustomerId(customerId);
    return this.known(customerId, () => this.handle(customerId).query(statusQuery));
  }

  /** The partner's decision. Waits for it unless `wait` is false, in which case an open run is an error. */
  async result(customerId: string, { wait = true }: { wait?: boolean } = {}): Promise<KycResult> {
    assertCustomerId(customerId);
    if (!wait) {
      const run = await this.describe(customerId);
      if (run.status.name === 'RUNNING') {
        const { stage } = await this.status(customerId);
        throw new KycStillRunningError(`${run.workflowId} is still running (stage ${stage}): no decision yet`);
      }
    }
    try {
      return await this.known(customerId, () => this.handle(customerId).result());
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      const why = (err.cause?.message ?? err.message).replace(/\s*\n\s*/g, '; ');
      throw new KycRunFailedError(`${kycWorkflowId(customerId)} ended without a decision: ${why}`, { cause: err });
    }
  }

  /** Temporal's description of the customer's latest run (status, memo, times). */
  async describe(customerId: string): Promise<WorkflowExecutionDescription> {
    assertCustomerId(customerId);
    return this.known(customerId, () => this.handle(customerId).describe());
  }

  /**
   * Resubmits a rejected customer as the partner requires: a NEW customer record (created by the backend with the
   * reference the rejected run handed out, `ref` → `ref-r2` → `ref-r3`) and corrected documents. The rejected run
   * stays closed for audit; the new run's memo points back to it, so the chain shows in the Web UI.
   *
   * The partner never accepts a reference twice, so the reference is one no KYC run has used yet: the rejected
   * run's `retryCustomerReference` first, bumped (`-r3`, `-r4` …) past every one visibility already shows
   * (`retry` called twice for one rejection, or a retry of a run whose successor was rejected too). Visibility
   * lags the runs by about a second: two retries of the same run within that window can still pick the same one.
   * Calling `retry` again with the same new customer returns that customer's run as it is.
   */
  async retry(previousCustomerId: string, next: RetryInput): Promise<StartedKyc & { customerReference: string }> {
    assertCustomerId(previousCustomerId);
    assertCustomerId(next.customerId);
    return inClientSpan('KycClient.retry', kycWorkflowId(next.customerId), () =>
      this.retryChecked(previousCustomerId, next),
    );
  }

  private async retryChecked(
    previousCustomerId: string,
    next: RetryInput,
  ): Promise<StartedKyc & { customerReference: string }> {
    const previousId = kycWorkflowId(previousCustomerId);
    if (next.customerId === previousCustomerId) {
      throw new KycRetryRefusedError(
        `the partner never accepts a re-submission on a rejected customer: create a new customer and pass its id (not ${previousCustomerId})`,
      );
    }
    const previous = await this.describe(previousCustomerId);
    const outcome = await this.decisionOf(previousCustomerId, previous);
    if (outcome.status !== 'rejected' || !outcome.retryCustomerReference) {
      throw new KycRetryRefusedError(`${previousId} was verified: there is nothing to retry`);
    }
    // The new customer's run, if there is one, is checked first: it is strongly consistent, unlike visibility.
    const existing = await this.client.workflow
      .getHandle(kycWorkflowId(next.customerId))
      .describe()
      .catch(ignoreNotFound);
    if (existing && existing.memo?.retryOf !== previousId) {
      throw new KycRetryRefusedError(
        `${existing.workflowId} already exists and is not a retry of ${previousId}: create a new customer at the partner for the retry`,
      );
    }
    const existingReference = existing?.typedSearchAttributes.get(CustomerReference);
    if (existing && existingReference && ['RUNNING', 'COMPLETED'].includes(existing.status.name)) {
      // The same retry asked again (a backend retrying its own call): the run that exists is the answer.
      return {
        workflowId: existing.workflowId,
        runId: existing.runId,
        alreadyStarted: true,
        customerReference: existingReference,
      };
    }
    // A retry run that failed (e.g. on its documents) is started again, corrected, under the reference it already
    // carries: the backend created the new customer with it, and visibility would otherwise count it as taken.
    const customerReference = existingReference ?? (await this.unusedReference(outcome.retryCustomerReference));
    const inherited = await this.startInputOf(previous);
    const input: KycInput = {
      customerId: next.customerId,
      customerReference,
      documents: next.documents,
      ...withoutUndefined({ country: next.country ?? inherited?.country, timing: next.timing ?? inherited?.timing }),
    };
    assertValid(input);
    const attempt = (typeof previous.memo?.attempt === 'number' ? previous.memo.attempt : 1) + 1;
    const options = kycStartOptions(input, this.taskQueue);
    const started = await this.startOnce({
      ...options,
      memo: { retryOf: previousId, attempt },
      staticSummary: `${options.staticSummary} — attempt ${attempt}, retry of ${previousId}`,
    });
    return { ...started, customerReference };
  }

  /**
   * Starts a run that failed, was terminated, cancelled or timed out again, on the same workflow id, from the input
   * its last run was started with. The new run reads the partner's customer first and continues at the step it is
   * at (waiting for the review, or done at once with the decision already taken): never a second submit.
   * An open run is left alone; a completed one is refused (it holds the decision already).
   */
  async resume(customerId: string): Promise<ResumedKyc> {
    assertCustomerId(customerId);
    return inClientSpan('KycClient.resume', kycWorkflowId(customerId), () => this.resumeChecked(customerId));
  }

  private async resumeChecked(customerId: string): Promise<ResumedKyc> {
    const run = await this.describe(customerId);
    const { workflowId, runId } = run;
    const state = run.status.name;
    if (state === 'RUNNING') return { action: 'running', workflowId, runId };
    if (state === 'COMPLETED') {
      const decided = await this.result(customerId).then(
        (result) => `already decided: ${result.status}`,
        () => 'already completed',
      );
      throw new KycResumeRefusedError(
        `${workflowId} ${decided}; nothing to resume (kyc result ${customerId} shows the decision)`,
      );
    }
    const input = await this.startInputOf(run);
    if (!input) throw new KycResumeRefusedError(`${workflowId} (run ${runId}) has no start input to resume from`);
    const parsed = parseKycInput(input);
    if (!parsed.ok) {
      // Resuming would only fail the same way: the run never reached the partner with this input.
      throw new KycResumeRefusedError(
        `${workflowId} was started with invalid input (${parsed.problems.join('; ')}): correct it and kyc start the customer again`,
      );
    }
    const options = kycStartOptions(input as KycInput, this.taskQueue);
    const resume: KycResume = { resume: 'from-partner' };
    // Typed by hand rather than by kycWorkflow's signature: the second argument is a KycResume (messages.ts),
    // which is what the workflow reads, whatever else its parameter may carry (continue-as-new state).
    const resumeOptions: WorkflowStartOptions = {
      ...options,
      args: [input, resume],
      // Only a run that did not complete may run again; a resume racing another one joins it.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      workflowIdConflictPolicy: 'USE_EXISTING',
      // The chain of retries stays readable in the Web UI across a resume.
      ...(run.memo && Object.keys(run.memo).length ? { memo: run.memo } : {}),
      staticSummary: `${options.staticSummary} — resumed from the partner's record after run ${runId} ended ${state.toLowerCase()}`,
    };
    const handle = await this.client.workflow.start('kycWorkflow', resumeOptions);
    return {
      action: 'resumed',
      workflowId,
      runId: handle.firstExecutionRunId,
      previousRunId: runId,
      previousStatus: state,
    };
  }

  /** KYC runs by stage and/or reference, newest first (visibility is eventually consistent: a second or so behind). */
  async list(filter: KycListFilter = {}): Promise<ListedKyc[]> {
    const query = kycListQuery(filter);
    const limit = listLimit(filter.limit);
    const runs: ListedKyc[] = [];
    for await (const run of this.client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      runs.push(listed(run));
      if (runs.length >= limit) break;
    }
    return runs;
  }

  private handle(customerId: string) {
    return this.client.workflow.getHandle<typeof kycWorkflow>(kycWorkflowId(customerId));
  }

  /** Turns the SDK's not-found into ours, which names the customer. */
  private async known<T>(customerId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new KycRunNotFoundError(customerId);
      throw err;
    }
  }

  /**
   * One run per customer. An open run is returned as it is. USE_EXISTING covers two starts racing past that check
   * (the server hands both the same run; only the `alreadyStarted` flag can then be wrong). A completed run is
   * refused by the reuse policy and returned too; a failed one (bad input) may be started again, corrected.
   */
  private async startOnce(options: WorkflowStartOptions<typeof kycWorkflow>): Promise<StartedKyc> {
    const { workflowId } = options;
    const existing = await this.client.workflow.getHandle(workflowId).describe().catch(ignoreNotFound);
    if (existing?.status.name === 'RUNNING') return { workflowId, runId: existing.runId, alreadyStarted: true };
    try {
      const handle = await this.client.workflow.start<typeof kycWorkflow>('kycWorkflow', options);
      return { workflowId, runId: handle.firstExecutionRunId, alreadyStarted: false };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const run = await this.client.workflow.getHandle(workflowId).describe();
      return { workflowId, runId: run.runId, alreadyStarted: true };
    }
  }

  /** The decision of a closed run, or a refusal saying why there is none to retry from. */
  private async decisionOf(customerId: string, run: WorkflowExecutionDescription): Promise<KycResult> {
    const state = run.status.name;
    if (state === 'RUNNING') {
      const { stage, outcome } = await this.status(customerId);
      // Decided but still telling the backend: the result is seconds away, and already fixed.
      if (outcome) return this.result(customerId);
      throw new KycRetryRefusedError(`${run.workflowId} is still ${stage}: only a rejected customer can be retried`);
    }
    if (state !== 'COMPLETED') {
      throw new KycRetryRefusedError(
        `${run.workflowId} ${state.toLowerCase().replace(/_/g, ' ')} without a decision: correct the input and start it again for the same customer`,
      );
    }
    return this.result(customerId);
  }

  /**
   * The first reference from `candidate` on (`-r2` → `-r3` …) that no KYC run carries in visibility. Bounded:
   * more than a handful of rejections in one chain is a case for a person, not for another number.
   */
  private async unusedReference(candidate: string): Promise<string> {
    let reference = candidate;
    for (let tried = 0; tried < maxRetryReferenceCandidates; tried++) {
      // kycListQuery quotes the value: a reference is the backend's text, never query syntax.
      const users = await this.list({ customerReference: reference, limit: 1 });
      if (users.length === 0) return reference;
      reference = retryCustomerReference(reference);
    }
    throw new KycRetryRefusedError(
      `no unused customer reference from ${candidate} on within ${maxRetryReferenceCandidates} tries: ` +
        'the customer has been retried too often; see kyc list --reference',
    );
  }

  /**
   * The input the run was started with (its first history event), decoded with this client's data converter
   * (KYC_PAYLOAD_KEYS): for a retry to inherit country and timing, and for a resume to start from.
   */
  private async startInputOf(run: WorkflowExecutionDescription): Promise<Partial<KycInput> | undefined> {
    const history = await this.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    const first = payloads?.[0];
    if (!first) return undefined;
    const { payloadCodecs, payloadConverter } = this.client.options.loadedDataConverter;
    // Codecs decode in the reverse order they encoded in, as the SDK does.
    let decoded: Payload[] = [first];
    for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    return payloadConverter.fromPayload<Partial<KycInput>>(decoded[0]!);
  }
}

function assertCustomerId(customerId: string): void {
  if (!isCustomerId(customerId)) throw new InvalidCustomerIdError(customerId);
}

function assertValid(input: KycInput): void {
  const parsed = parseKycInput(input);
  if (!parsed.ok) throw new InvalidKycInputError(parsed.problems);
}

function ignoreNotFound(err: unknown): undefined {
  if (err instanceof WorkflowNotFoundError) return undefined;
  throw err;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function listed(run: WorkflowExecutionInfo): ListedKyc {
  const attributes = run.typedSearchAttributes;
  const memo = run.memo ?? {};
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    customerId: run.workflowId.replace(/^kyc-/, ''),
    customerReference: attributes.get(CustomerReference) ?? '',
    status: attributes.get(KycStatusAttribute) as KycStage | undefined,
    executionStatus: run.status.name,
    startTime: run.startTime,
    ...(run.closeTime ? { closeTime: run.closeTime } : {}),
    ...(typeof memo.retryOf === 'string' ? { retryOf: memo.retryOf } : {}),
    ...(typeof memo.attempt === 'number' ? { attempt: memo.attempt } : {}),
  };
}
