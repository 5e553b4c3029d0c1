// What a rejected customer is told, and the reference their retry is created with (docs/partner-api.md, "A rejected
// customer"). The partner's raw reason is for audit only; end users only ever see a message from this table.

/** A small closed set naming why a customer was rejected: safe as a metric label, unlike the raw reason. */
export type RejectionReasonClass = 'unreadable' | 'expired' | 'address' | 'liveness' | 'mismatch' | 'other' | 'none';

interface RejectionMessage {
  /** Matched against the partner's reason, case-insensitively. */
  matches: RegExp;
  reasonClass: RejectionReasonClass;
  userMessage: string;
}

export const rejectionMessages: readonly RejectionMessage[] = [
  {
    matches: /unreadable|blurr?y|illegible|glare|low quality/i,
    reasonClass: 'unreadable',
    userMessage:
      "We couldn't read your ID document. Please retry with a clearer photo of your ID, with all four corners visible.",
  },
  {
    matches: /expired/i,
    reasonClass: 'expired',
    userMessage: 'Your ID document has expired. Please retry with a valid, in-date ID.',
  },
  {
    matches: /proof of address|address/i,
    reasonClass: 'address',
    userMessage:
      "We couldn't confirm your address. Please retry with a recent utility bill or bank statement showing your name and address.",
  },
  {
    matches: /liveness|selfie/i,
    reasonClass: 'liveness',
    userMessage: "We couldn't confirm your selfie matched your ID. Please retry in good light, facing the camera.",
  },
  {
    matches: /mismatch|does not match|name/i,
    reasonClass: 'mismatch',
    userMessage:
      "The details on your documents didn't match your account. Please check your name and date of birth, then retry.",
  },
];

/** For reasons the table does not know (and anything that must not be echoed, such as suspected fraud). */
export const genericRejectionMessage =
  "Your verification couldn't be completed. Please retry with clear photos of your documents, or contact support.";

export function userMessageFor(rejectionReason: string | undefined): string {
  if (!rejectionReason) return genericRejectionMessage;
  return rejectionMessages.find((m) => m.matches.test(rejectionReason))?.userMessage ?? genericRejectionMessage;
}

/** The bucket of a partner reason, for metrics (the raw text may name the person or the fraud suspected). */
export function rejectionReasonClass(rejectionReason: string | undefined): RejectionReasonClass {
  if (!rejectionReason) return 'none';
  return rejectionMessages.find((m) => m.matches.test(rejectionReason))?.reasonClass ?? 'other';
}

/** The rail never accepts a rejected reference again: `ref` → `ref-r2` → `ref-r3` … */
export function retryCustomerReference(reference: string): string {
  const attempt = /^(.*)-r(\d+)$/.exec(reference);
  if (attempt && attempt[1] && Number(attempt[2]) >= 2) return `${attempt[1]}-r${Number(attempt[2]) + 1}`;
  return `${reference}-r2`;
}
