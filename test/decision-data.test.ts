// The one parser of a decision's `data` (workflows/decision-data.ts), used by the webhook receiver and by the run's
// signal and update handlers: what it accepts, what it keeps, and how it names each problem. The receiver's answers
// built on it are in hostile-webhooks.test.ts; the run's refusals in workflow-branches.test.ts.
import { describe, expect, it } from 'vitest';
import { parseDecisionData } from '../workflows/decision-data';

const verified = {
  object: 'customer',
  id: 'ckcust_abc123',
  customer_reference: 'pouch-user-1',
  status: 'verified',
  verified_at: '2026-11-27T10:00:00Z',
};
const rejected = {
  object: 'customer',
  id: 'ckcust_abc-123_x',
  customer_reference: 'pouch-user-2',
  status: 'rejected',
  rejected_at: '2026-11-27T10:00:00.123+02:00',
  rejection_reason: 'ID document unreadable',
};

describe('parseDecisionData', () => {
  it('keeps the fields a decision needs and drops every other one', () => {
    expect(parseDecisionData('verified', { ...verified, extra: { deep: [1, 2] }, email: 'a@b.c' })).toEqual({
      ok: true,
      data: verified,
    });
    expect(parseDecisionData('rejected', { ...rejected, documents: ['x'] })).toEqual({ ok: true, data: rejected });
  });

  it('accepts a decision without its optional time or reason', () => {
    const { verified_at: _v, ...bare } = verified;
    expect(parseDecisionData('verified', bare)).toEqual({ ok: true, data: bare });
    const { rejected_at: _r, rejection_reason: _reason, ...bareRejected } = rejected;
    expect(parseDecisionData('rejected', bareRejected)).toEqual({ ok: true, data: bareRejected });
  });

  it.each([
    ['no payload', undefined, ['data: must be an object (the webhook\'s "data")']],
    ['a string', 'verified', ['data: must be an object (the webhook\'s "data")']],
    ['an array', [verified], ['data: must be an object (the webhook\'s "data")']],
    [
      'an empty object',
      {},
      [
        'object: must be "customer"',
        'id: is required',
        'customer_reference: is required',
        'status: must be "verified" in a customer_verified event',
      ],
    ],
    [
      'the other verdict',
      { ...verified, status: 'rejected' },
      ['status: must be "verified" in a customer_verified event'],
    ],
    ['a foreign id', { ...verified, id: 'cus_123' }, [expect.stringMatching(/^id: must be a Technest customer id/)]],
    ['an empty reference', { ...verified, customer_reference: '' }, ['customer_reference: must not be empty']],
    [
      'a reference too long',
      { ...verified, customer_reference: 'r'.repeat(257) },
      ['customer_reference: must be at most 256 characters'],
    ],
    ['a time in words', { ...verified, verified_at: 'yesterday' }, ['verified_at: must be an ISO 8601 timestamp']],
    [
      'a time without offset',
      { ...verified, verified_at: '2026-11-27T10:00:00' },
      ['verified_at: must be an ISO 8601 timestamp'],
    ],
    [
      'an impossible date',
      { ...verified, verified_at: '2026-13-45T10:00:00Z' },
      ['verified_at: must be an ISO 8601 timestamp'],
    ],
  ])('refuses %s, naming every problem', (_case, data, problems) => {
    expect(parseDecisionData('verified', data)).toEqual({ ok: false, problems });
  });

  it('refuses a rejection reason that is not text or is too long', () => {
    expect(parseDecisionData('rejected', { ...rejected, rejection_reason: 42 })).toEqual({
      ok: false,
      problems: ['rejection_reason: must be a string'],
    });
    expect(parseDecisionData('rejected', { ...rejected, rejection_reason: 'x'.repeat(4097) })).toEqual({
      ok: false,
      problems: ['rejection_reason: must be at most 4096 characters'],
    });
  });

  it('names the fields inside a webhook body as data.<field>', () => {
    expect(parseDecisionData('verified', { ...verified, status: 'pending' }, { prefixFields: true })).toEqual({
      ok: false,
      problems: ['data.status: must be "verified" in a customer_verified event'],
    });
  });
});
