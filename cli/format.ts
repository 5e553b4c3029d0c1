// Human output: compact, one fact a line, aligned, in the partner's words. `--json` bypasses all of this.
import type { ListedKyc, ResumedKyc, StartedKyc } from '../client/kyc-client';
import type { KycResult, KycStatusReply } from '../workflows/messages';

const rows = (pairs: Array<[string, string | undefined]>): string =>
  pairs
    .filter((pair): pair is [string, string] => pair[1] !== undefined)
    .map(([label, value]) => `  ${label.padEnd(10)} ${value}`)
    .join('\n');

/** "3h 12m" since an ISO time, for the "pending since" line. */
export function ago(iso: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  if (minutes < 1) return 'just now';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const parts = [days && `${days}d`, hours && `${hours}h`, !days && minutes % 60 && `${minutes % 60}m`].filter(Boolean);
  return `${parts.join(' ')} ago`;
}

export function formatStarted(started: StartedKyc & { customerReference?: string }, customerId: string): string {
  const what = started.alreadyStarted ? 'already started' : 'started';
  const ref = started.customerReference ? ` with reference ${started.customerReference}` : '';
  return `${what}: ${started.workflowId}${ref} (run ${started.runId})\n  follow it with: kyc status ${customerId}`;
}

export function formatStatus(status: KycStatusReply): string {
  const uploaded = status.files.filter((f) => f.uploaded).length;
  const files = status.files.map((f) => `${f.uploaded ? '✓' : '·'} ${f.category} ${f.filename}`).join(', ');
  const outcome = status.outcome && `${status.outcome.status} (via ${status.outcome.via}, ${status.outcome.decidedAt})`;
  return [
    `kyc-${status.customerId}  ${status.stage}`,
    rows([
      ['customer', `${status.customerId}  reference ${status.customerReference}`],
      ['files', `${uploaded}/${status.files.length} uploaded${files ? `: ${files}` : ''}`],
      ['submitted', status.submittedAt],
      [
        'pending',
        status.pendingSince && !status.outcome
          ? `since ${status.pendingSince} (${ago(status.pendingSince)})`
          : undefined,
      ],
      ['polls', String(status.polls)],
      ['escalated', status.escalatedAt ? `yes, at ${status.escalatedAt}` : 'no'],
      ['outcome', outcome],
      ['ignored', status.ignoredDecisions.length ? `${status.ignoredDecisions.length} later decision(s)` : undefined],
      ['last poll', status.lastPollError && `error: ${status.lastPollError}`],
      ['signals', refusedSignals(status)],
      ['events', eventsLine(status)],
      ['partner', partnerReference(status)],
    ]),
  ].join('\n');
}

/** Signals the run refused for a bad payload: how many, and what was wrong with the newest. */
function refusedSignals(status: KycStatusReply): string | undefined {
  // `?? []`: a run still on the previous release's code answers the query without these fields.
  const refused = status.refusedSignals ?? [];
  const newest = refused.at(-1);
  if (!newest) return undefined;
  return `${refused.length} refused; newest ${newest.signal} at ${newest.at}: ${newest.problem}`;
}

/**
 * Events to the backend (KYC_EVENTS_URL): those still waiting (in order), those delivered, and those the backend
 * refused (4xx) with the newest refusal — each refused one is lost to the backend unless someone acts.
 */
function eventsLine(status: KycStatusReply): string | undefined {
  const events = status.events;
  if (!events) return undefined;
  const newestRefused = events.refused.at(-1);
  return [
    events.pending.length ? `pending ${events.pending.join(', ')}` : 'none pending',
    events.delivered.length ? `delivered ${events.delivered.join(', ')}` : undefined,
    newestRefused &&
      `${events.refused.length} refused by the backend, newest ${newestRefused.type} at ${newestRefused.at}: ${newestRefused.error}`,
  ]
    .filter(Boolean)
    .join('; ');
}

/** The partner's own customer_reference, shown only when it differs from ours (a mismatch worth a look). */
function partnerReference(status: KycStatusReply): string | undefined {
  const theirs = status.partnerCustomerReference;
  return theirs && theirs !== status.customerReference
    ? `${theirs} (the partner's; ours is ${status.customerReference})`
    : undefined;
}

export function formatResumed(resumed: ResumedKyc, customerId: string): string {
  if (resumed.action === 'running') {
    return `running: ${resumed.workflowId} (run ${resumed.runId}) is open; nothing to resume\n  follow it with: kyc status ${customerId}`;
  }
  return [
    `resumed: ${resumed.workflowId} (run ${resumed.runId})`,
    `  after run ${resumed.previousRunId} ended ${resumed.previousStatus.toLowerCase().replace(/_/g, ' ')}; the new run reads the`,
    "  partner's customer and continues at its step (never a second submit)",
    `  follow it with: kyc status ${customerId}   or   kyc result ${customerId} --wait`,
  ].join('\n');
}

export function formatResult(result: KycResult): string {
  const head = `kyc-${result.customerId}  ${result.status}`;
  if (result.status === 'verified') {
    return [
      head,
      rows([
        ['customer', `${result.customerId}  reference ${result.customerReference}`],
        ['verified', result.verifiedAt],
      ]),
    ].join('\n');
  }
  return [
    head,
    rows([
      ['customer', `${result.customerId}  reference ${result.customerReference}`],
      ['rejected', result.rejectedAt],
      ['reason', result.rejectionReason && `${result.rejectionReason} (partner's words, for audit only)`],
      ['tell user', result.userMessage],
      [
        'retry',
        result.retryCustomerReference && `create a new customer with reference ${result.retryCustomerReference}, then:`,
      ],
    ]),
    result.retryCustomerReference
      ? `             kyc retry ${result.customerId} --customer-id NEW_ID id_document=PATH …`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function formatList(runs: ListedKyc[]): string {
  if (runs.length === 0) return 'no KYC runs match';
  const table = [
    ['CUSTOMER', 'REFERENCE', 'STAGE', 'RUN', 'STARTED', 'CLOSED', 'RETRY OF'],
    ...runs.map((r) => [
      r.customerId,
      r.customerReference,
      r.status ?? '-',
      r.executionStatus.toLowerCase(),
      r.startTime.toISOString().slice(0, 19).replace('T', ' '),
      r.closeTime ? r.closeTime.toISOString().slice(0, 19).replace('T', ' ') : '-',
      r.retryOf ? `${r.retryOf} (#${r.attempt ?? '?'})` : '-',
    ]),
  ];
  const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => row[col]!.length)));
  return table
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
