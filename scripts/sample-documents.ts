// Real sample documents, tiny but valid: a JPEG, a PNG and a one-page PDF. The demo (`npm start`) uploads
// them, and the tests use them as real files on disk. Also a large PDF written in chunks (so making a 20 MB file
// does not itself cost 20 MB of memory), for the upload tests and the benchmark.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A 1×1 baseline JPEG. */
export const SAMPLE_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);

/** A 1×1 RGBA PNG. */
export const SAMPLE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A one-page PDF with a correct cross-reference table. */
export const SAMPLE_PDF = buildPdf([
  '<< /Type /Catalog /Pages 2 0 R >>',
  '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
  '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
]);

export interface SampleDocuments {
  dir: string;
  jpeg: string;
  png: string;
  pdf: string;
}

/** Writes passport.jpg, passport-back.png and bill.pdf into `dir`; returns their paths. */
export async function writeSampleDocuments(dir: string): Promise<SampleDocuments> {
  const paths = {
    dir,
    jpeg: join(dir, 'passport.jpg'),
    png: join(dir, 'passport-back.png'),
    pdf: join(dir, 'bill.pdf'),
  };
  await Promise.all([
    writeFile(paths.jpeg, SAMPLE_JPEG),
    writeFile(paths.png, SAMPLE_PNG),
    writeFile(paths.pdf, SAMPLE_PDF),
  ]);
  return paths;
}

function buildPdf(objects: string[]): Buffer {
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/**
 * Writes a PDF of exactly `bytes` bytes (header, deterministic filler comments, %%EOF), 1 MiB at a time.
 * Returns its sha256 computed on the way, so tests can compare with what a server received.
 */
export async function makeLargePdf(
  path: string,
  bytes: number,
): Promise<{ path: string; bytes: number; sha256: string }> {
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
