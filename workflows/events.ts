// Events to the backend (docs/workflow.md, "Events"), delivered by the emitKycEvent activity at least once.
export type KycEventType = 'kyc.submitted' | 'kyc.escalated' | 'kyc.verified' | 'kyc.rejected';

export interface KycEvent {
  type: KycEventType;
  customerId: string;
  customerReference: string;
  occurredAt: string;
  userMessage?: string;
  retryCustomerReference?: string;
}

/** Stable per workflow and type, so the backend can drop the duplicates at-least-once delivery makes. */
export const eventIdempotencyKey = (workflowId: string, type: KycEventType): string => `${workflowId}:${type}`;
