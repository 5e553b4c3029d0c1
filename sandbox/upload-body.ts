// Reads an upload body as it streams in: sha256 and byte count only, never the bytes themselves,
// so a 100 MiB upload costs the sandbox a hash state, not 100 MiB of memory.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

export type UploadRead =
  | { kind: 'ok'; bytes: number; sha256: string }
  | { kind: 'too_large'; bytesSeen: number }
  | { kind: 'aborted'; reason: string };

export function hashUpload(stream: Readable, maxBytes: number): Promise<UploadRead> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let settled = false;
    const settle = (result: UploadRead) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return; // past the limit: keep draining so the 413 reaches a client still sending
      bytes += chunk.length;
      if (bytes > maxBytes) return settle({ kind: 'too_large', bytesSeen: bytes });
      hash.update(chunk);
    });
    stream.on('end', () => settle({ kind: 'ok', bytes, sha256: hash.digest('hex') }));
    stream.on('error', (error) => settle({ kind: 'aborted', reason: error.message }));
    stream.on('close', () => settle({ kind: 'aborted', reason: 'connection closed before the body ended' }));
  });
}
