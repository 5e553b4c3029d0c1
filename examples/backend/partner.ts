// The backend's own call to Technest: creating the customer record a KYC run is for. The KYC worker never creates
// customers (docs/partner-api.md, "Before the steps"); the backend does, at sign-up and for each retry. The partner's
// guide does not describe this call; it is written against the sandbox's `POST /v1/customers`.

export interface PartnerAccount {
  /** TECHNEST_API_URL, e.g. the sandbox's http://127.0.0.1:4010 */
  url: string;
  /** TECHNEST_API_KEY */
  apiKey: string;
}

/** The partner refused the call; `status` is its HTTP answer (409: the reference is taken or was rejected). */
export class PartnerRefusedError extends Error {
  override name = 'PartnerRefusedError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Creates the customer at the partner and returns its id (`ckcust_…`). */
export async function createPartnerCustomer(
  partner: PartnerAccount,
  customerReference: string,
  country?: string,
): Promise<string> {
  const res = await fetch(new URL('/v1/customers', partner.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${partner.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ customer_reference: customerReference, ...(country ? { country } : {}) }),
    signal: AbortSignal.timeout(10_000),
  });
  const reply = (await res.json().catch(() => undefined)) as
    { id?: unknown; error?: { message?: unknown } } | undefined;
  if (!res.ok) {
    const why = typeof reply?.error?.message === 'string' ? reply.error.message : `HTTP ${res.status}`;
    throw new PartnerRefusedError(res.status, `the partner refused to create customer ${customerReference}: ${why}`);
  }
  if (typeof reply?.id !== 'string') throw new Error('the partner created a customer but its reply has no id');
  return reply.id;
}
