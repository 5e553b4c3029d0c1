// The search attributes (docs/workflow.md, "Search attributes"): operators filter runs by them in the Web UI and the
// CLI.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const KycStatus = defineSearchAttributeKey('KycStatus', SearchAttributeType.KEYWORD);
export const CustomerReference = defineSearchAttributeKey('CustomerReference', SearchAttributeType.KEYWORD);
export const KycEscalated = defineSearchAttributeKey('KycEscalated', SearchAttributeType.BOOL);

export const kycSearchAttributes = [KycStatus, CustomerReference, KycEscalated];
