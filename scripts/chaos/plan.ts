// What each chaos customer will go through, decided up front from the seed: its documents (real files, unique
// per customer so a mix-up between customers cannot pass the sha256 check), its country, and the partner's
// review — so every run has one known correct ending.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mulberry32, type Random } from '../../sandbox/prng';
import { SAMPLE_JPEG, SAMPLE_PDF, SAMPLE_PNG } from '../sample-documents';
import type { KycInput } from '../../workflows/input';

/** Reasons the partner gives, covering each kind of user message (and one that must stay generic). */
export const rejectionReasons = [
  'ID document unreadable',
  'ID document expired',
  'Proof of address does not match',
  'Liveness check failed',
  'Suspected synthetic identity',
] as const;

export interface CustomerPlan {
  index: number;
  reference: string;
  country: 'GB' | 'US';
  documents: KycInput['documents'];
  review: { outcome: 'verify' | 'reject'; afterMs: number; reason?: string };
}

export interface PlanOptions {
  n: number;
  seed: number;
  runTag: string;
  docsDir: string;
  /** Share of rejections (the rest are verified). */
  rejectRate: number;
  /** Share of reviews slower than the escalation timer, so the run escalates before the decision. */
  slowReviewRate: number;
  /** The escalation timer of every run: a slow review takes a little longer. */
  escalateAfterMs: number;
}

/** Tags a sample file with bytes after its end marker: still the same format to any reader, but a unique hash. */
const tagged = (sample: Buffer, tag: string) => Buffer.concat([sample, Buffer.from(`\n% chaos ${tag}\n`)]);

export async function planCustomers(options: PlanOptions): Promise<CustomerPlan[]> {
  // A PRNG of its own (seed-derived) so that the plan does not depend on how many faults the sandbox rolled.
  const random = mulberry32(options.seed ^ 0x5eed);
  const plans: CustomerPlan[] = [];
  for (let index = 0; index < options.n; index++) {
    const tag = `${options.runTag}-${index}`;
    const shape = Math.floor(random() * 3);
    const files: Array<[KycInput['documents'][number], Buffer]> = [
      [doc('id_document', `id-${index}.jpg`, 'image/jpeg', options.docsDir), tagged(SAMPLE_JPEG, tag)],
    ];
    if (shape === 2)
      files.push([
        doc('id_document_back', `id-back-${index}.png`, 'image/png', options.docsDir),
        tagged(SAMPLE_PNG, tag),
      ]);
    if (shape >= 1)
      files.push([
        doc('proof_of_address', `bill-${index}.pdf`, 'application/pdf', options.docsDir),
        tagged(SAMPLE_PDF, tag),
      ]);
    await Promise.all(files.map(([d, bytes]) => writeFile(d.source, bytes)));
    plans.push({
      index,
      reference: `chaos-${tag}`,
      // US requires the proof of address; GB the ID alone.
      country: shape === 1 ? 'US' : 'GB',
      documents: files.map(([d]) => d),
      review: reviewFor(random, options),
    });
  }
  return plans;
}

function doc(
  category: KycInput['documents'][number]['category'],
  filename: string,
  contentType: KycInput['documents'][number]['contentType'],
  dir: string,
) {
  return { category, filename, contentType, source: join(dir, filename) };
}

function reviewFor(random: Random, options: PlanOptions): CustomerPlan['review'] {
  const slow = random() < options.slowReviewRate;
  const afterMs = slow
    ? options.escalateAfterMs + 1000 + Math.floor(random() * 2000)
    : 500 + Math.floor(random() * 3000);
  if (random() < options.rejectRate) {
    const reason = rejectionReasons[Math.floor(random() * rejectionReasons.length)]!;
    return { outcome: 'reject', afterMs, reason };
  }
  return { outcome: 'verify', afterMs };
}

/** Uniform integer in [min, max]. */
export const between = (random: Random, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));
