// Live progress in the terminal: one line whenever a customer's run changes stage or learns something new.
import type { KycClient } from '../../client/kyc-client';
import type { KycStatus } from '../../workflows/messages';

export class Progress {
  private readonly runs = new Map<string, { label: string; last: string }>();
  private timer?: NodeJS.Timeout;
  private inflight: Promise<unknown> = Promise.resolve();

  constructor(private readonly kyc: KycClient) {}

  track(label: string, customerId: string): void {
    this.runs.set(customerId, { label, last: '' });
    this.timer ??= setInterval(() => {
      this.inflight = this.refresh();
    }, 400);
  }

  private async refresh(): Promise<void> {
    await Promise.all(
      [...this.runs].map(async ([customerId, run]) => {
        const status = await this.kyc.status(customerId).catch(() => undefined);
        if (!status) return;
        const line = describe(status);
        if (line !== run.last) {
          run.last = line;
          console.log(`  ${run.label.padEnd(30)} ${status.customerReference.padEnd(34)} ${line}`);
        }
      }),
    );
  }

  /** Stops following; resolves once the last round of queries is back (before the worker goes away). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inflight;
  }
}

function describe(status: KycStatus): string {
  const uploaded = status.files.filter((f) => f.uploaded).length;
  const parts: string[] = [status.stage];
  if (status.stage === 'uploading') parts.push(`${uploaded}/${status.files.length} documents`);
  const refreshed = status.files.reduce((n, f) => n + f.urlRefreshes, 0);
  if (refreshed) parts.push(`${refreshed} URL refreshed`);
  if (status.escalatedAt) parts.push('escalated');
  if (status.outcome) parts.push(`decided via ${status.outcome.via}`);
  return parts.join(' · ');
}
