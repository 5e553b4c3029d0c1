// The pre-flight check (docs/workflow.md, "Invalid input"; the partner, too, asks to validate size and format before
// requesting an upload URL): every document is read once, before any partner call, and every problem across all
// documents is reported together — a user fixing their upload should learn everything in one round.
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import type { KycDocument } from '../workflows/documents';
import { InvalidKycInput } from '../workflows/failures';
import { activityLog, cancellationSignal, heartbeat, progressHeartbeat } from './activity-context';
import { ByteMeter } from './byte-meter';
import { contentTypeMismatch } from './magic-bytes';
import { openSource, overLimit, SourceProblem, sourceLabel, type SourcePolicy } from './sources';
import type { CheckedDocument } from './types';

/** One problem, as carried in the failure's details (the message has the same, one per line). */
export interface DocumentProblem {
  index: number;
  category: string;
  filename: string;
  problem: string;
}

export async function checkDocuments(documents: KycDocument[], policy: SourcePolicy): Promise<CheckedDocument[]> {
  // Documents are few (one per category); checking them side by side keeps a slow URL from serialising the rest.
  heartbeat({ checking: documents.length });
  const results = await Promise.all(documents.map((doc) => checkOne(doc, policy)));
  const problems: DocumentProblem[] = [];
  results.forEach((result, index) => {
    const doc = documents[index];
    if (doc === undefined) return;
    for (const problem of result.problems) {
      problems.push({ index, category: doc.category, filename: doc.filename, problem });
    }
  });
  if (problems.length > 0) throw invalidDocuments(problems);
  activityLog.info('KYC documents checked', {
    documents: documents.map((d, i) => ({ category: d.category, bytes: results[i]?.checked?.bytes })),
  });
  return results.map((r) => r.checked).filter((c): c is CheckedDocument => c !== undefined);
}

/** The failure the workflow surfaces as-is: a header, then one line per problem prefixed with its document. */
export function invalidDocuments(problems: DocumentProblem[]): ApplicationFailure {
  const lines = problems.map((p) => `documents[${p.index}] ${p.category} (${p.filename}): ${p.problem}`);
  const header =
    problems.length === 1 ? '1 problem with the KYC documents:' : `${problems.length} problems with the KYC documents:`;
  return ApplicationFailure.create({
    type: InvalidKycInput,
    nonRetryable: true,
    message: [header, ...lines].join('\n'),
    details: [problems],
  });
}

async function checkOne(
  doc: KycDocument,
  policy: SourcePolicy,
): Promise<{ problems: string[]; checked?: CheckedDocument }> {
  const signal = cancellationSignal();
  try {
    const source = await openSource(doc.source, policy, signal);
    const meter = new ByteMeter({
      maxBytes: policy.maxFileBytes,
      onOverLimit: () => overLimit(0, policy.maxFileBytes, true),
      onProgress: progressHeartbeat('bytesRead'),
    });
    // The bytes go nowhere: only their count, hash and first bytes matter here.
    const discard = new Writable({ write: (_chunk, _enc, done) => done() });
    await pipeline(source.stream, meter, discard, ...(signal ? [{ signal }] : []));
    if (meter.bytes === 0) return { problems: ['file is empty'] };
    const mismatch = contentTypeMismatch(meter.head, doc.contentType);
    if (mismatch) return { problems: [mismatch] };
    return { problems: [], checked: { category: doc.category, bytes: meter.bytes, sha256: meter.sha256() } };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof SourceProblem) return { problems: [error.message] };
    // A read failing midway (a dropped connection, EIO) is a problem with this source like any other.
    const reason = error instanceof Error ? error.message : String(error);
    activityLog.warn('KYC document unreadable', { source: sourceLabel(doc.source), reason });
    return { problems: [`cannot read: ${reason}`] };
  }
}
