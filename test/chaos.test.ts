// The chaos run (scripts/chaos/run.ts, the code `npm run chaos` runs), small: 30 onboardings on a dev server of its
// own while the worker process is SIGKILLed and restarted, the webhook receiver restarted, and the partner sandbox
// answers 5xx and 429s, expires upload URLs and duplicates, delays and drops webhooks. Every run must still end
// right, with one submit and its own documents attached once, and no workflow task failure in any history.
import { describe, expect, it } from 'vitest';
import { formatReport } from '../scripts/chaos/report';
import { runChaos } from '../scripts/chaos/run';
import { workflowBundle } from './support/temporal';

// A fixed seed: a failure here replays with `npm run chaos -- --n 30 --seed <seed>` (the same plan and fault rolls).
const seed = Number(process.env.CHAOS_SEED ?? 20251126);

describe('chaos run', () => {
  it('30 onboardings survive worker kills, receiver restarts and partner faults', { timeout: 180_000 }, async () => {
    const report = await runChaos({
      n: 30,
      seed,
      workerKills: 3,
      killEveryMs: [2000, 4000],
      receiverRestarts: 1,
      receiverRestartEveryMs: [3000, 5000],
      startSpreadMs: 8000,
      deadlineMs: 150_000,
      workflowBundlePath: workflowBundle().codePath,
    });
    const summary = formatReport(report);
    expect(report.violations, summary).toEqual([]);
    expect(report.ok, summary).toBe(true);
    expect(report.runs.verified + report.runs.rejected, summary).toBe(30);
    expect(report.runs.rejected, summary).toBeGreaterThan(0);
    expect(report.runs.viaWebhook + report.runs.viaPoll, summary).toBe(30);
    // The chaos really happened mid-run.
    expect(report.workerKills, summary).toBe(3);
    expect(report.receiverRestarts, summary).toBe(1);
    expect(report.faults.injected, summary).toBeGreaterThan(0);
    expect(report.faults.urlRefreshes, summary).toBeGreaterThan(0);
  });
});
