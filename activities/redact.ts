// What may be shown of a URL or a message: pre-signed URLs carry their credential in the query string,
// and the partner key must never reach a log line or a failure message (which lands in workflow history).

/** origin + path, without query or fragment (and without user:password). */
export function safeUrl(url: string | URL): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<unparseable URL>';
  }
}

/** Replaces every occurrence of each secret in `text`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('[redacted]');
  }
  return out;
}
