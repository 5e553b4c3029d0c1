// The worker-level limits a new run takes at its start (prepareRun) and keeps for life: defaults here,
// overrides from the worker's configuration (KYC_MIN_POLL_INTERVAL …). One source for each default.
import type { RunSettings } from './types';

export const defaultRunSettings: Readonly<RunSettings> = {
  // A bad `timing` input must not poll the partner every second for days (each poll is billed).
  minPollIntervalMs: 60_000,
  maxUrlRefreshes: 3,
  uploadConcurrency: 3,
  // Long enough for a delayed webhook, short enough that a rejected user hears of it the same hour.
  rejectionReasonGraceMs: 15 * 60_000,
};

/** How many attempts a document's source may fail (unavailable, changing) before the run fails clearly. */
export const DEFAULT_SOURCE_ATTEMPTS = 5;

export function runSettings(overrides: Partial<RunSettings> = {}): RunSettings {
  const set = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return { ...defaultRunSettings, ...set };
}
