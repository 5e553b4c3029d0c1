// The declared contentType must match the bytes: the partner only checks the header, so a PNG sent as
// image/jpeg would pass upload and fail review a day later. The signatures are the formats' own.
import type { ContentType } from '../workflows/documents';

const signatures: ReadonlyArray<{ contentType: ContentType; name: string; bytes: readonly number[] }> = [
  { contentType: 'image/jpeg', name: 'JPEG', bytes: [0xff, 0xd8, 0xff] },
  { contentType: 'image/png', name: 'PNG', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { contentType: 'application/pdf', name: 'PDF', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // "%PDF-"
];

/** How many leading bytes are enough to tell the formats apart. */
export const MAGIC_BYTES_NEEDED = Math.max(...signatures.map((s) => s.bytes.length));

export function sniffContentType(head: Uint8Array): ContentType | undefined {
  return signatures.find((s) => s.bytes.every((b, i) => head[i] === b))?.contentType;
}

/** A problem sentence when `head` is not `declared`, else undefined. */
export function contentTypeMismatch(head: Uint8Array, declared: ContentType): string | undefined {
  const actual = sniffContentType(head);
  if (actual === declared) return undefined;
  if (actual !== undefined) {
    return `bytes are ${nameOf(actual)} but contentType says ${declared}`;
  }
  const shown = Buffer.from(head.subarray(0, MAGIC_BYTES_NEEDED))
    .toString('hex')
    .replace(/(..)(?=.)/g, '$1 ');
  return `bytes are not ${nameOf(declared)} (${declared}); they start with ${shown || 'nothing'}`;
}

function nameOf(contentType: ContentType): string {
  return signatures.find((s) => s.contentType === contentType)?.name ?? contentType;
}
