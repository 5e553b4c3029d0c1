// Sample documents for tests: the tiny valid JPEG/PNG/PDF files of scripts/sample-documents.ts, and a large PDF written in chunks
// (so making a 20 MB file does not itself cost 20 MB of memory). Shared by activity and workflow tests.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';

export { SAMPLE_JPEG, SAMPLE_PDF, SAMPLE_PNG, writeSampleDocuments, type SampleDocuments } from '../../scripts/sample-documents';

/**
 * Writes a PDF of exactly `bytes` bytes (header, deterministic filler comments, %%EOF), 1 MiB at a time.
 * Returns its sha256 computed on the way, so tests can compare with what a server received.
 */
export async function makeLargePdf(path: string, bytes: number): Promise<{ path: string; bytes: number; sha256: string }> {
  const head = Buffer.from('%PDF-1.4\n');
  const tail = Buffer.from('\n%%EOF\n');
  if (bytes < head.length + tail.length) throw new Error(`makeLargePdf: ${bytes} bytes is too small for a PDF`);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  const write = async (chunk: Buffer) => {
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  };
  await write(head);
  let left = bytes - head.length - tail.length;
  const block = fillerBlock(1024 * 1024);
  while (left > 0) {
    const chunk = block.subarray(0, Math.min(left, block.length));
    await write(chunk);
    left -= chunk.length;
  }
  await write(tail);
  out.end();
  await once(out, 'finish');
  return { path, bytes, sha256: hash.digest('hex') };
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function fillerBlock(size: number): Buffer {
  // PDF comment lines ("% …\n"): readers skip them, and varied bytes keep the hash meaningful.
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const line = `% filler line ${i.toString(16).padStart(8, '0')} ${'x'.repeat(40)}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, size);
}

