// Bounded retries for a document whose source keeps failing. SourceUnavailable and SourceChanged are worth
// retrying (a flaky server, a file still being written), but not forever: every upload attempt may cost
// the partner a fresh intent. On the last allowed attempt the failure becomes DocumentSourceFailed, final,
// naming the document and what went wrong — never the URL's query (a pre-signed credential) nor any bytes.
import { ApplicationFailure } from '@temporalio/common';
import type { KycDocument } from '../workflows/documents';
import { DocumentSourceFailed, SourceChanged, SourceUnavailable } from '../workflows/failures';
import { attempt } from './activity-context';
import { scrubSecrets } from './redact';

export async function withSourceAttempts<T>(
  document: KycDocument,
  maxAttempts: number,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ApplicationFailure) || (error.type !== SourceUnavailable && error.type !== SourceChanged))
      throw error;
    const attempts = attempt();
    if (attempts < maxAttempts) throw error;
    const what = error.type === SourceChanged ? 'kept changing while it was uploaded' : 'stayed unavailable';
    const message = `${document.category} (${document.filename}): its source ${what} over ${attempts} upload attempts; last: ${error.message}`;
    throw ApplicationFailure.create({
      type: DocumentSourceFailed,
      nonRetryable: true,
      message: scrubSecrets(message, secretsOf(document.source)),
      details: [{ category: document.category, filename: document.filename, attempts, lastFailure: error.type }],
    });
  }
}

/** The parts of a URL source that may carry a credential, should any message have echoed them. */
function secretsOf(source: string): string[] {
  try {
    const url = new URL(source);
    return [url.search.slice(1), url.hash.slice(1), url.password].filter((part) => part.length > 0);
  } catch {
    return [];
  }
}
