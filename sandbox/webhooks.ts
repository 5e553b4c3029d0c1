// Delivers decision events to the configured receiver: signed, retried with exponential backoff on
// non-2xx or network errors, and subject to the drop / duplicate / delay faults. Every attempt is
// recorded on the customer so tests can assert what the receiver was sent and how it answered.
import type { FaultInjector } from './faults';
import type { CustomerRecord, WebhookEvent } from './records';
import type { Timers } from './timers';
import { technestSignature } from './webhook-signature';

export interface WebhookTarget {
  url: string | undefined;
  secret: string | undefined;
}

const ATTEMPT_TIMEOUT_MS = 10_000;

export class WebhookDispatcher {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private target: WebhookTarget,
    private readonly retry: { attempts: number; baseDelayMs: number },
    private readonly faults: FaultInjector,
    private readonly timers: Timers,
  ) {}

  setTarget(target: WebhookTarget): void {
    this.target = { ...target };
  }

  get currentTarget(): WebhookTarget {
    return { ...this.target };
  }

  /** A decision happened: send its event (or drop / duplicate it, as the faults say). */
  emit(customer: CustomerRecord, event: WebhookEvent): void {
    customer.last_event = event;
    if (!this.target.url) return;
    if (this.faults.dropWebhook(customer)) {
      customer.webhooks_dropped += 1;
      customer.faults_injected += 1;
      return;
    }
    this.track(this.deliver(customer, event, false));
    if (this.faults.duplicateWebhook(customer)) {
      customer.faults_injected += 1;
      this.track(this.deliver(customer, event, true));
    }
  }

  /** Re-sends the last event, as a partner does on a manual "resend" — a duplicate by definition. */
  redeliver(customer: CustomerRecord): boolean {
    if (!customer.last_event || !this.target.url) return false;
    this.track(this.deliver(customer, customer.last_event, true));
    return true;
  }

  /** Resolves when every delivery in flight has finished or been cancelled by close. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(customer: CustomerRecord, event: WebhookEvent, duplicate: boolean): Promise<void> {
    if (!(await this.timers.sleep(this.faults.webhookDelayMs()))) return;
    // The body is serialised once: every retry carries the same bytes, only the signature's t changes.
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      const { url, secret } = this.target;
      if (!url || !secret || this.timers.isClosed) return;
      const outcome = await this.attempt(url, secret, body);
      customer.webhook_deliveries.push({
        event: event.event,
        attempt,
        ...outcome,
        at: new Date().toISOString(),
        duplicate,
      });
      if (outcome.status_code !== undefined && outcome.status_code >= 200 && outcome.status_code < 300) return;
      if (attempt < this.retry.attempts) {
        if (!(await this.timers.sleep(this.retry.baseDelayMs * 2 ** (attempt - 1)))) return;
      }
    }
  }

  private async attempt(url: string, secret: string, body: string): Promise<{ status_code?: number; error?: string }> {
    const { signal, done } = this.timers.signal(ATTEMPT_TIMEOUT_MS);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'technest-signature': technestSignature(secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        signal,
      });
      // Drain the answer so the connection is reused rather than left half-read.
      await response.arrayBuffer().catch(() => undefined);
      return { status_code: response.status };
    } catch (error) {
      return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    } finally {
      done();
    }
  }
}
