// Counts, hashes and keeps the first bytes of a stream as it passes, so a document is read exactly once
// and never held in memory: the same meter serves the pre-flight check and the streamed upload.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { MAGIC_BYTES_NEEDED } from './magic-bytes';

export interface ByteMeterOptions {
  /** Fail as soon as more than this many bytes went through (stop reading a too-large source). */
  maxBytes?: number;
  onOverLimit?: (bytesSoFar: number) => Error;
  /** Fail at the end when the total differs (the Content-Length already promised to the server). */
  exactBytes?: number;
  onLengthMismatch?: (actual: number) => Error;
  onProgress?: (bytes: number) => void;
}

export class ByteMeter extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private headChunks: Buffer[] = [];
  private headLength = 0;

  constructor(private readonly options: ByteMeterOptions = {}) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    const limit = this.options.maxBytes ?? this.options.exactBytes;
    if (limit !== undefined && this.bytes > limit) {
      const error =
        this.options.maxBytes !== undefined
          ? this.options.onOverLimit?.(this.bytes)
          : this.options.onLengthMismatch?.(this.bytes);
      done(error ?? new Error(`more than ${limit} bytes`));
      return;
    }
    this.hash.update(chunk);
    if (this.headLength < MAGIC_BYTES_NEEDED) {
      // A copy: a view would keep the whole chunk (256 KiB from a file) alive for a few leading bytes.
      this.headChunks.push(Buffer.from(chunk.subarray(0, MAGIC_BYTES_NEEDED - this.headLength)));
      this.headLength += Math.min(chunk.length, MAGIC_BYTES_NEEDED - this.headLength);
    }
    this.options.onProgress?.(this.bytes);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const { exactBytes } = this.options;
    if (exactBytes !== undefined && this.bytes !== exactBytes) {
      done(this.options.onLengthMismatch?.(this.bytes) ?? new Error(`expected ${exactBytes} bytes, got ${this.bytes}`));
      return;
    }
    done();
  }

  /** The leading bytes (up to MAGIC_BYTES_NEEDED), for content sniffing. */
  get head(): Buffer {
    return Buffer.concat(this.headChunks);
  }

  /** Hex sha256 of everything that passed; call once, after the stream ended. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
