// Pre-signed upload URLs, S3-style: the URL itself is the credential, so no bearer key on the PUT.
// The signing key is random per process: URLs never survive a sandbox restart, like a rotated bucket key.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class UploadUrlSigner {
  private readonly key = randomBytes(32);

  sign(fileId: string, expiresMs: number): string {
    return createHmac('sha256', this.key).update(`${fileId}.${expiresMs}`).digest('hex');
  }

  build(baseUrl: string, fileId: string, expiresMs: number): string {
    const query = new URLSearchParams({ expires: String(expiresMs), signature: this.sign(fileId, expiresMs) });
    return `${baseUrl}/uploads/${encodeURIComponent(fileId)}?${query.toString()}`;
  }

  /** True when signature matches file id + expires exactly (constant-time compare). */
  verify(fileId: string, expires: string | undefined, signature: string | undefined): boolean {
    if (!expires || !signature || !/^\d+$/.test(expires) || !/^[0-9a-f]{64}$/.test(signature)) return false;
    const expected = Buffer.from(this.sign(fileId, Number(expires)), 'hex');
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
  }
}
