// Sample documents for tests: the tiny valid JPEG/PNG/PDF files and the large chunked PDF of
// scripts/sample-documents.ts (shared with the benchmark), and a file's sha256. Shared by activity and workflow tests.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export {
  makeLargePdf,
  SAMPLE_JPEG,
  SAMPLE_PDF,
  SAMPLE_PNG,
  writeSampleDocuments,
  type SampleDocuments,
} from '../../scripts/sample-documents';

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
