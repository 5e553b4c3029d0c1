// The workflow input (docs/workflow.md), parsed once, by the prepareRun activity, so everything past it is typed
// and a later change to these rules never alters the replay of a run already going.
import { z } from 'zod';
import ms from 'ms';
import { customerIdPattern, customerIdProblem } from './customer-id';
import { contentTypes, documentCategories, requiredCategories } from './documents';

/**
 * Default waits (docs/workflow.md, "Input", `timing`): first poll 15 min after submit, backing off to every 2 h;
 * escalate at 24 h.
 */
export const defaultTiming = { firstPollAfter: '15m', maxPollInterval: '2h', escalateAfter: '24h' } as const;

const duration = z.union([z.number().int().positive(), z.string().min(1)]).transform((value, ctx) => {
  let parsed: number;
  try {
    parsed = msToNumber(value);
  } catch {
    parsed = NaN;
  }
  if (!Number.isFinite(parsed) || parsed <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `"${String(value)}" is not a positive duration (e.g. "15m", "2h", 90000)`,
    });
    return z.NEVER;
  }
  return parsed;
});

function msToNumber(value: string | number): number {
  return typeof value === 'number' ? value : ms(value as ms.StringValue);
}

export const kycDocumentSchema = z.object({
  category: z.enum(documentCategories),
  filename: z.string().trim().min(1).max(255),
  contentType: z.enum(contentTypes),
  source: z.string().trim().min(1),
});

export const kycInputSchema = z.object({
  customerId: z.string().regex(customerIdPattern, customerIdProblem),
  customerReference: z.string().trim().min(1).max(128),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "GB"')
    .optional(),
  documents: z.array(kycDocumentSchema).min(1, 'at least the id_document is required').max(4),
  timing: z
    .object({
      firstPollAfter: duration.default(msToNumber(defaultTiming.firstPollAfter)),
      maxPollInterval: duration.default(msToNumber(defaultTiming.maxPollInterval)),
      escalateAfter: duration.default(msToNumber(defaultTiming.escalateAfter)),
    })
    .strict()
    .default({
      firstPollAfter: msToNumber(defaultTiming.firstPollAfter),
      maxPollInterval: msToNumber(defaultTiming.maxPollInterval),
      escalateAfter: msToNumber(defaultTiming.escalateAfter),
    }),
});

/**
 * Rules across documents: at most one per category, and the categories the country requires. Run on the
 * raw input too, so that one answer lists these problems beside any field errors.
 */
function documentSetProblems(raw: unknown): string[] {
  const input = (raw ?? {}) as { country?: unknown; documents?: unknown };
  const documents = Array.isArray(input.documents) ? input.documents : [];
  const country = typeof input.country === 'string' ? input.country : undefined;
  const problems: string[] = [];
  const seen = new Set<unknown>();
  documents.forEach((doc: { category?: unknown } | null, i) => {
    const category = doc?.category;
    if (seen.has(category)) problems.push(`documents.${i}.category: more than one ${String(category)}`);
    seen.add(category);
  });
  for (const category of requiredCategories(country)) {
    if (!seen.has(category)) {
      const article = /^[aeiou]/.test(category) ? 'an' : 'a';
      problems.push(
        `documents: ${article} ${category} document is required${country ? ` for country ${country}` : ''}`,
      );
    }
  }
  return problems;
}

export type ParsedInput = { ok: true; input: ParsedKycInput } | { ok: false; problems: string[] };

/** The input, typed and with defaults filled in, or every problem with it (one line each, naming the field). */
export function parseKycInput(raw: unknown): ParsedInput {
  const parsed = kycInputSchema.safeParse(raw);
  const problems = [...(parsed.success ? [] : describeIssues(parsed.error)), ...documentSetProblems(raw)];
  return parsed.success && problems.length === 0 ? { ok: true, input: parsed.data } : { ok: false, problems };
}

/** What callers send (durations as strings or ms). */
export type KycInput = z.input<typeof kycInputSchema>;
/** What the workflow works on (durations in ms, defaults filled in). */
export type ParsedKycInput = z.output<typeof kycInputSchema>;

/** Every problem in one line each, with the field it concerns. */
function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : 'input';
    return `${path}: ${issue.message}`;
  });
}
