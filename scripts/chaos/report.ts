// The chaos run's summary, as the script prints it (and the README quotes it).
import type { ChaosReport } from './run';

export function formatReport(report: ChaosReport): string {
  const rows: Array<[string, string]> = [
    ['seed', String(report.seed)],
    ['runs', String(report.n)],
    ['  verified', String(report.runs.verified)],
    ['  rejected (reason + -r2 reference)', String(report.runs.rejected)],
    ['  no result', String(report.runs.noResult)],
    ['  decided via webhook', String(report.runs.viaWebhook)],
    ['  decided via poll', String(report.runs.viaPoll)],
    ['  escalated (review slower than escalateAfter)', String(report.runs.escalated)],
    ['worker kills (SIGKILL + restart)', String(report.workerKills)],
    ['webhook receiver restarts', String(report.receiverRestarts)],
    ['backend outages (events answered 503)', String(report.backendOutages)],
    ['  events our backend refused once (422)', String(report.misuse.refusedEvents)],
    ['malformed signals sent to open runs', String(report.misuse.malformedSignals)],
    // "The guide": the partner's, as docs/partner-api.md describes it.
    ['customers with partner replies off the guide', String(report.misuse.partnerSurprises)],
    ['faults injected by the partner sandbox', String(report.faults.injected)],
    ['  expired upload URLs issued', String(report.faults.expiredUrlsIssued)],
    ['  upload URL refreshes (by the runs)', String(report.faults.urlRefreshes)],
    ['  webhooks dropped', String(report.faults.webhooksDropped)],
    ['  webhooks duplicated', String(report.faults.duplicateWebhooks)],
    ['workflow task timeouts (killed workers)', String(report.faults.workflowTaskTimeouts)],
    ['activity retries (faults, killed workers)', String(report.faults.activityRetries)],
    [
      'completions raced by a new event (UnhandledCommand)',
      `${report.faults.completionRaces.signal + report.faults.completionRaces.activity} ` +
        `(late signal ${report.faults.completionRaces.signal}, poll result ${report.faults.completionRaces.activity})`,
    ],
    ...report.invariants.map((i): [string, string] => [
      `invariant: ${i.name}`,
      i.failed === 0 ? `PASS (${i.passed}/${i.passed})` : `FAIL (${i.failed} run(s))`,
    ]),
    ['wall time', `${(report.wallMs / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v} |`);
  const out = [`| ${'chaos run'.padEnd(width)} | |`, `|${'-'.repeat(width + 2)}|---|`, ...lines];
  if (report.violations.length > 0) {
    out.push('', `${report.violations.length} violation(s) (first 20):`);
    for (const v of report.violations.slice(0, 20))
      out.push(`  ${v.invariant}: ${v.reference} (${v.customerId}): ${v.detail}`);
    out.push(`logs and documents kept in ${report.workDir}`);
  }
  return out.join('\n');
}
