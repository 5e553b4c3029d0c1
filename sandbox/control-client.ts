// A client for the sandbox over HTTP, for the demo and the tests: create customers, steer reviews, inject
// faults, inspect what the partner received.
export interface InspectedCustomer {
  id: string;
  customer_reference: string;
  status: string;
  intents: Array<{ file_id: string; file_category: string; forced_expiry?: boolean }>;
  uploads: Array<{ file_id: string; file_category: string; bytes: number; sha256: string; puts: number }>;
  attached: Record<string, string>;
  attach_count: number;
  submit_count: number;
  status_reads: number;
  webhook_deliveries: Array<{ event: string; attempt: number; status_code?: number; duplicate: boolean }>;
  faults_injected: number;
  [key: string]: unknown;
}

export const sandboxApiKey = 'sk_test_technest_sandbox';

export class Rail {
  constructor(
    readonly url: string,
    readonly apiKey = sandboxApiKey,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown, auth = false): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(auth ? { authorization: `Bearer ${this.apiKey}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async createCustomer(reference: string, country?: string): Promise<string> {
    const customer = await this.call<{ id: string }>(
      'POST',
      '/v1/customers',
      { customer_reference: reference, country },
      true,
    );
    return customer.id;
  }

  /** Customers already submitted and pending review (no documents): see POST /_sandbox/customers/submitted. */
  async createSubmittedCustomers(references: string[]): Promise<Array<{ id: string; customer_reference: string }>> {
    const { customers } = await this.call<{ customers: Array<{ id: string; customer_reference: string }> }>(
      'POST',
      '/_sandbox/customers/submitted',
      { customer_references: references },
    );
    return customers;
  }

  inspect(customerId: string): Promise<InspectedCustomer> {
    return this.call('GET', `/_sandbox/customers/${customerId}`);
  }

  review(customerId: string, plan: { outcome: 'verify' | 'reject' | 'never'; after_ms?: number; reason?: string }) {
    return this.call('PUT', `/_sandbox/customers/${customerId}/review`, plan);
  }

  decide(customerId: string, outcome: 'verify' | 'reject', reason?: string) {
    return this.call('POST', `/_sandbox/customers/${customerId}/decide`, { outcome, reason });
  }

  faults(customerId: string, faults: Record<string, number | boolean | string>) {
    return this.call('PUT', `/_sandbox/customers/${customerId}/faults`, faults);
  }
}
