// Why a document source cannot be used, worded for the person who sent the input; shared by the policy
// (sources.ts), URL reading (url-source.ts), the pre-flight check and the upload.

/**
 * A reason a source cannot be used, worded for the person who sent the input. `retryable` marks the ones
 * that may pass later (a flaky source server); policy, size and type problems never will.
 */
export class SourceProblem extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'SourceProblem';
  }
}

export function checkSize(size: number, maxFileBytes: number): void {
  if (size === 0) throw new SourceProblem('file is empty');
  if (size > maxFileBytes) throw overLimit(size, maxFileBytes);
}

export function overLimit(size: number, maxFileBytes: number, stoppedReading = false): SourceProblem {
  return stoppedReading
    ? new SourceProblem(
        `more than ${formatBytes(maxFileBytes)}: over the ${formatBytes(maxFileBytes)} limit (stopped reading)`,
      )
    : new SourceProblem(`${formatBytes(size)} is over the ${formatBytes(maxFileBytes)} limit`);
}

/** "12.3 MiB", "10 MiB", "512 KiB", "17 bytes". */
export function formatBytes(n: number): string {
  const units: Array<[number, string]> = [
    [1024 * 1024, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} byte${n === 1 ? '' : 's'}`;
}
