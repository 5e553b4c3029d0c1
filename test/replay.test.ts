// Replay safety, the CI gate: every history recorded by `npm run record-histories` — one per path a customer can
// take, for this release AND every earlier one (test/histories/<release>/) — replays against the current workflow
// code. Runs started by an earlier release may wait for days across a deploy: a change that would make them fail
// (non-determinism) breaks this test first. See docs/operations.md, "Changing the workflow safely".
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { historyFromJson } from '../scripts/history-json';
import { historiesDir } from '../scripts/record-histories';
import { workflowBundle } from './support/temporal';

const releases = readdirSync(historiesDir)
  .filter((d) => statSync(join(historiesDir, d)).isDirectory())
  .sort();
const files = releases.flatMap((release) =>
  readdirSync(join(historiesDir, release))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${release}/${f}`),
);
const paths = [
  'webhook-verified',
  'polling-verified',
  'rejected',
  'escalated-then-verified',
  'expired-url-refreshed',
  'invalid-input',
];
const currentRelease = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
  .version;

describe('replaying recorded histories against the current workflow code', () => {
  it('has every path recorded by this release and by 0.1.0, the release before it', () => {
    expect(releases).toEqual(expect.arrayContaining(['0.1.0', currentRelease]));
    for (const release of ['0.1.0', currentRelease]) {
      for (const path of paths) expect(files).toContain(`${release}/${path}.json`);
    }
    for (const path of ['malformed-signals-then-verified', 'resumed-after-terminate'])
      expect(files).toContain(`${currentRelease}/${path}.json`);
  });

  it("0.1.0 runs carry no kyc-v2 patch marker (they replay on workflows/v1/), this release's runs do", () => {
    const hasPatchMarker = (file: string) =>
      (historyFromJson(readFileSync(join(historiesDir, file), 'utf8')).events ?? []).some(
        (e) => e.markerRecordedEventAttributes?.markerName === 'core_patch',
      );
    for (const file of files) expect([file, hasPatchMarker(file)]).toEqual([file, !file.startsWith('0.1.0/')]);
  });

  it('replays every history of every release without a non-determinism or any other error', async () => {
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: historyFromJson(readFileSync(join(historiesDir, file), 'utf8')),
    }));
    const results: Array<{ workflowId: string; error?: unknown }> = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories))
      results.push(result);
    expect(results.map((r) => r.workflowId).sort()).toEqual(histories.map((h) => h.workflowId).sort());
    const failures = results.filter((r) => r.error).map((r) => `${r.workflowId}: ${String(r.error)}`);
    expect(failures).toEqual([]);
  });
});
