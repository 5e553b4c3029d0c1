// Replay safety: every history recorded by `npm run record-histories` (test/histories/*.json, one per path a customer
// can take) replays against the current workflow code. A change that would make runs already in flight fail
// (non-determinism) breaks this test first: see the README, "Changing the workflow safely".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { historyFromJson } from '../scripts/history-json';
import { historiesDir } from '../scripts/record-histories';
import { workflowBundle } from './support/temporal';

const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json')).sort();

describe('replaying recorded histories against the current workflow code', () => {
  it('has a recorded history for every path (at least 6)', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const path of ['webhook-verified', 'polling-verified', 'rejected', 'escalated-then-verified', 'expired-url-refreshed', 'invalid-input']) {
      expect(files).toContain(`${path}.json`);
    }
  });

  it('replays every history without a non-determinism or any other error', async () => {
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: historyFromJson(readFileSync(join(historiesDir, file), 'utf8')),
    }));
    const results: Array<{ workflowId: string; error?: unknown }> = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) results.push(result);
    expect(results.map((r) => r.workflowId).sort()).toEqual(histories.map((h) => h.workflowId).sort());
    const failures = results.filter((r) => r.error).map((r) => `${r.workflowId}: ${String(r.error)}`);
    expect(failures).toEqual([]);
  });
});
