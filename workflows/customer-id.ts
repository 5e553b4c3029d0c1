// The partner's customer id grammar, one source for every boundary: the workflow input, the webhook receiver,
// the signals, the CLI and the client. The sandbox mints `ckcust_` + letters and digits; the rail's own ids may
// carry `-` or `_` too, so both are accepted everywhere.
export const customerIdPattern = /^ckcust_[A-Za-z0-9_-]{1,64}$/;
export const customerIdProblem = 'must be a Technest customer id: ckcust_ followed by 1-64 letters, digits, "_" or "-"';

export function isCustomerId(value: unknown): value is string {
  return typeof value === 'string' && customerIdPattern.test(value);
}
