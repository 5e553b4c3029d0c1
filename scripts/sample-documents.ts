// Real sample documents, tiny but valid: a JPEG, a PNG and a one-page PDF. The demo (`npm start`) uploads
// them, and the tests use them as real files on disk.
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
export const SAMPLE_PDF = buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>']);

export interface SampleDocuments {
  dir: string;
  jpeg: string;
  png: string;
  pdf: string;
}

/** Writes passport.jpg, passport-back.png and bill.pdf into `dir`; returns their paths. */
export async function writeSampleDocuments(dir: string): Promise<SampleDocuments> {
  const paths = { dir, jpeg: join(dir, 'passport.jpg'), png: join(dir, 'passport-back.png'), pdf: join(dir, 'bill.pdf') };
  await Promise.all([writeFile(paths.jpeg, SAMPLE_JPEG), writeFile(paths.png, SAMPLE_PNG), writeFile(paths.pdf, SAMPLE_PDF)]);
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
