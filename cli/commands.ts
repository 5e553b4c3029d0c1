// The CLI's Temporal commands: each a thin layer over KycClient, so the CLI and a backend behave the same way.
import { KycClient } from '../client/kyc-client';
import { isListableStage, listableStages, stageFilterProblem } from '../client/visibility';
import {
  customerIdFrom,
  customerIdPositional,
  documentsFrom,
  optionalString,
  requiredString,
  timingFrom,
  timingOptions,
  UsageError,
  type Options,
  type Values,
} from './args';
import { formatList, formatResult, formatResumed, formatStarted, formatStatus } from './format';

export interface CommandContext {
  values: Values;
  positionals: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CommandOutput {
  json: unknown;
  human: string;
  /** Non-zero when the command ran but the answer is a failure (e.g. the webhook receiver refused). */
  exitCode?: number;
}

export interface Command {
  name: string;
  summary: string;
  /** The per-command `--help`: usage, what it does, examples. */
  help: string;
  options: Options;
  run(ctx: CommandContext): Promise<CommandOutput>;
}

/** Connects only once the command line is known to be right, and always closes. */
async function withKyc<T>(env: NodeJS.ProcessEnv, use: (kyc: KycClient) => Promise<T>): Promise<T> {
  const kyc = await KycClient.connect(env);
  try {
    return await use(kyc);
  } finally {
    await kyc.close();
  }
}

const timingHelp = `  --timing-first-poll D         first poll of the partner after submit (default 15m)
  --timing-max-poll-interval D  longest wait between polls (default 2h)
  --timing-escalate-after D     escalate to partner support if still pending (default 24h)
  Durations: "90s", "15m", "2h", or milliseconds.`;

const documentsHelp = `Documents: category=path, one per category, id_document required.
  categories: id_document, id_document_back, proof_of_address, liveness_check
  files: .jpg/.jpeg (image/jpeg), .png (image/png), .pdf (application/pdf); an http(s):// URL works too`;

export const start: Command = {
  name: 'start',
  summary: "upload and submit a customer's KYC documents (idempotent per customer)",
  help: `Usage: kyc start --customer-id ID --reference REF [--country CC] [timing] category=path …

Starts the customer's KYC run (workflow kyc-ID): upload every document, attach, submit, wait for the review.
Starting again while the run is open returns the same run ("already started"), never a second one.

  --customer-id ID     the customer created at the partner (ckcust_…)
  --reference REF      the customer_reference it was created with
  --country CC         ISO 3166-1 alpha-2; decides which documents are required
${timingHelp}
${documentsHelp}

Examples:
  kyc start --customer-id ckcust_123 --reference pouch-user-12345 id_document=./passport.jpg
  kyc start --customer-id ckcust_124 --reference pouch-user-9 --country US \\
      id_document=/var/kyc/u9/licence.jpg proof_of_address=/var/kyc/u9/bill.pdf --timing-first-poll 5m`,
  options: {
    'customer-id': { type: 'string' },
    reference: { type: 'string' },
    country: { type: 'string' },
    ...timingOptions,
  },
  async run({ values, positionals, env, cwd }) {
    const customerId = requiredString(values, 'customer-id');
    const input = {
      customerId,
      customerReference: requiredString(values, 'reference'),
      documents: documentsFrom(positionals, cwd),
      ...withDefined({ country: optionalString(values, 'country'), timing: timingFrom(values) }),
    };
    const started = await withKyc(env, (kyc) => kyc.start(input));
    return { json: started, human: formatStarted(started, customerId) };
  },
};

export const status: Command = {
  name: 'status',
  summary: "where a customer's KYC is: stage, files, polls, escalation, outcome",
  help: `Usage: kyc status CUSTOMER_ID

Asks the run (the "status" query): stage, files uploaded, when the review started, polls, escalation, outcome,
signals it refused (malformed payloads), and events to the backend still pending or refused by it.

Examples:
  kyc status ckcust_123
  kyc status ckcust_123 --json | jq .stage`,
  options: {},
  async run({ positionals, env }) {
    const customerId = customerIdPositional(positionals);
    const answer = await withKyc(env, (kyc) => kyc.status(customerId));
    return { json: answer, human: formatStatus(answer) };
  },
};

export const list: Command = {
  name: 'list',
  summary: 'find KYC runs by stage and/or customer reference',
  help: `Usage: kyc list [--status STAGE] [--reference REF] [--limit N]

Lists KYC runs, newest first, from Temporal's visibility store (a second or so behind the runs themselves).

  --status STAGE   one of ${listableStages.join(', ')} (the stages written to the KycStatus
                   search attribute; the others last under a second: see them with kyc status)
  --reference REF  the customer_reference (retries have their own: REF-r2, REF-r3 …)
  --limit N        at most N runs (default 50)

Examples:
  kyc list --status pending_review
  kyc list --reference pouch-user-12345-r2 --json`,
  options: { status: { type: 'string' }, reference: { type: 'string' }, limit: { type: 'string' } },
  async run({ values, positionals, env }) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const stage = optionalString(values, 'status');
    if (stage !== undefined && !isListableStage(stage)) throw new UsageError(`--${stageFilterProblem(stage)}`);
    const limitText = optionalString(values, 'limit');
    if (limitText !== undefined && !/^\d+$/.test(limitText))
      throw new UsageError(`--limit must be a number (got "${limitText}")`);
    const filter = withDefined({
      status: stage,
      customerReference: optionalString(values, 'reference'),
      limit: limitText === undefined ? undefined : Number(limitText),
    });
    const runs = await withKyc(env, (kyc) => kyc.list(filter));
    return { json: runs, human: formatList(runs) };
  },
};

export const result: Command = {
  name: 'result',
  summary: "the partner's decision (verified / rejected); --wait to wait for it",
  help: `Usage: kyc result CUSTOMER_ID [--wait]

Prints the decision: verified, or rejected with the partner's reason (audit), the message for the user and the
reference to retry with. Without --wait an open run is an error (exit 1); with it, waits for the decision.

Examples:
  kyc result ckcust_123
  kyc result ckcust_123 --wait --json`,
  options: { wait: { type: 'boolean' } },
  async run({ values, positionals, env }) {
    const customerId = customerIdPositional(positionals);
    const answer = await withKyc(env, (kyc) => kyc.result(customerId, { wait: values.wait === true }));
    return { json: answer, human: formatResult(answer) };
  },
};

export const retry: Command = {
  name: 'retry',
  summary: 'resubmit a rejected customer as a new customer (reference REF-r2, -r3 …)',
  help: `Usage: kyc retry PREVIOUS_CUSTOMER_ID --customer-id NEW_ID [--country CC] [timing] category=path …

The partner never accepts a re-submission on a rejected customer. Create a NEW customer at the partner with the
reference the rejected run gave (kyc result PREVIOUS_CUSTOMER_ID shows it: REF-r2, then REF-r3 …), then retry with
corrected documents. The new run records which run it retries (memo retryOf, attempt); the old one stays for audit.
Refused unless the previous run finished rejected. Country and timing default to the previous run's.

  --customer-id NEW_ID  the new customer's id at the partner
  --country CC          ISO 3166-1 alpha-2
${timingHelp}
${documentsHelp}

Example:
  kyc retry ckcust_123 --customer-id ckcust_456 id_document=./passport-clear.jpg`,
  options: { 'customer-id': { type: 'string' }, country: { type: 'string' }, ...timingOptions },
  async run({ values, positionals, env, cwd }) {
    const [previous, ...documents] = positionals;
    if (!previous || previous.includes('='))
      throw new UsageError('missing PREVIOUS_CUSTOMER_ID (the rejected customer)');
    customerIdFrom(previous, 'PREVIOUS_CUSTOMER_ID');
    const customerId = customerIdFrom(requiredString(values, 'customer-id'), '--customer-id');
    const next = {
      customerId,
      documents: documentsFrom(documents, cwd),
      ...withDefined({ country: optionalString(values, 'country'), timing: timingFrom(values) }),
    };
    const started = await withKyc(env, (kyc) => kyc.retry(previous, next));
    return { json: started, human: formatStarted(started, customerId) };
  },
};

export const resume: Command = {
  name: 'resume',
  summary: "start a failed or terminated run again from the partner's record (no second submit)",
  help: `Usage: kyc resume CUSTOMER_ID

For a run that failed, was terminated, cancelled or timed out: starts it again on the same workflow (kyc-ID), from
the input its last run was started with. The new run reads the partner's customer first and continues at the step
it is at: uploads what is missing, waits for the review, or ends at once with a decision the partner already took.
Never a second submit. The webhook receiver answers 503 run_needs_resume to a verdict for such a run, so the
partner keeps sending it until the run is resumed.

  open run       nothing to do (exit 0): it carries on by itself
  completed run  refused (exit 1): it already holds the decision (kyc result CUSTOMER_ID)

Examples:
  kyc resume ckcust_123
  kyc resume ckcust_123 --json`,
  options: {},
  async run({ positionals, env }) {
    const customerId = customerIdPositional(positionals);
    const answer = await withKyc(env, (kyc) => kyc.resume(customerId));
    return { json: answer, human: formatResumed(answer, customerId) };
  },
};

function withDefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
