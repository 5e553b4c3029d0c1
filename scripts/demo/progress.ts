// Live progress in the terminal: one line whenever a customer's run changes stage or learns something new.
import type { KycClient } from '../../client/kyc-client';
import type { KycStatusReply } from '../../workflows/messages';

const intervalMs = 400;

export class Progress {
  private readonly runs = new Map<string, { label: string; last: string }>();
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;

  constructor(private readonly kyc: Pick<KycClient, 'status'>) {}

  track(label: string, customerId: string): void {
    this.runs.set(customerId, { label, last: '' });
    if (!this.round && !this.timer && !this.stopped) this.schedule();
  }

  /**
   * Stops following; resolves once the round in progress is back, so no query outlives the connection.
   * Rounds never overlap: the next one is scheduled only after the last answered (a fixed interval
   * started a round every 400 ms whatever the last one was doing, and stop() awaited only the newest).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.round = this.refresh().finally(() => {
        this.round = undefined;
        if (!this.stopped) this.schedule();
      });
    }, intervalMs);
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
}

function describe(status: KycStatusReply): string {
  const uploaded = status.files.filter((f) => f.uploaded).length;
  const parts: string[] = [status.stage];
  if (status.stage === 'uploading') parts.push(`${uploaded}/${status.files.length} documents`);
  const refreshed = status.files.reduce((n, f) => n + f.urlRefreshes, 0);
  if (refreshed) parts.push(`${refreshed} URL refreshed`);
  if (status.escalatedAt) parts.push('escalated');
  if (status.outcome) parts.push(`decided via ${status.outcome.via}`);
  return parts.join(' · ');
}
