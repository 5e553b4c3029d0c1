// In-memory state of the rail: customers, their references, and which customer owns each file id.
import { randomBytes } from 'node:crypto';
import type { CustomerRecord, UploadIntent } from './records';

function randomId(prefix: string): string {
  return `${prefix}${randomBytes(10).toString('hex')}`;
}

export class Store {
  private readonly customers = new Map<string, CustomerRecord>();
  /** customer_reference → customer id. References are never released, even after rejection. */
  private readonly references = new Map<string, string>();
  private readonly fileOwners = new Map<string, string>();

  createCustomer(customerReference: string, country: string | null, now: Date): CustomerRecord {
    const record: CustomerRecord = {
      id: randomId('ckcust_'),
      customer_reference: customerReference,
      country,
      status: 'created',
      created_at: now.toISOString(),
      kyc_submitted_at: null,
      verified_at: null,
      rejected_at: null,
      rejection_reason: null,
      intents: [],
      uploads: new Map(),
      upload_refusals: [],
      attached: {},
      attach_count: 0,
      submit_count: 0,
      submit_refusals: 0,
      status_reads: 0,
      review: undefined,
      cancelReview: undefined,
      faults: {},
      faults_injected: 0,
      webhook_deliveries: [],
      webhooks_dropped: 0,
      last_event: undefined,
    };
    this.customers.set(record.id, record);
    this.references.set(customerReference, record.id);
    return record;
  }

  byReference(customerReference: string): CustomerRecord | undefined {
    const id = this.references.get(customerReference);
    return id === undefined ? undefined : this.customers.get(id);
  }

  get(id: string): CustomerRecord | undefined {
    return this.customers.get(id);
  }

  all(): CustomerRecord[] {
    return [...this.customers.values()];
  }

  newFileId(): string {
    return randomId('file_');
  }

  addIntent(customer: CustomerRecord, intent: UploadIntent): void {
    customer.intents.push(intent);
    this.fileOwners.set(intent.file_id, customer.id);
  }

  /** The intent behind a file id, with its owner — whichever customer that is. */
  findFile(fileId: string): { customer: CustomerRecord; intent: UploadIntent } | undefined {
    const ownerId = this.fileOwners.get(fileId);
    const customer = ownerId === undefined ? undefined : this.customers.get(ownerId);
    const intent = customer?.intents.find((i) => i.file_id === fileId);
    return customer && intent ? { customer, intent } : undefined;
  }
}
