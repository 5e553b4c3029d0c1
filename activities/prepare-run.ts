// The run's first step, as an activity so that its result lands in the history: the parsed input, the
// checked documents and the worker's settings are read once, and a later change to the parser, the
// per-country table or the settings never alters what a waiting run replays.
import { ApplicationFailure } from '@temporalio/common';
import { InvalidKycInput } from '../workflows/failures';
import { parseKycInput } from '../workflows/input';
import { checkDocuments } from './check-documents';
import type { SourcePolicy } from './sources';
import type { PreparedRun, RunSettings } from './types';

export async function prepareRun(
  rawInput: unknown,
  options: { checkSources?: boolean } | undefined,
  context: { policy: SourcePolicy; settings: RunSettings },
): Promise<PreparedRun> {
  const parsed = parseKycInput(rawInput);
  if (!parsed.ok) {
    // The same failure the workflow used to raise itself: InvalidKycInput, one problem a line (docs/workflow.md,
    // "Invalid input").
    throw ApplicationFailure.create({
      type: InvalidKycInput,
      nonRetryable: true,
      message: `Invalid KYC input:\n${parsed.problems.join('\n')}`,
      details: parsed.problems,
    });
  }
  const checkSources = options?.checkSources ?? true;
  const documents = checkSources ? await checkDocuments(parsed.input.documents, context.policy) : [];
  return { input: parsed.input, documents, settings: { ...context.settings } };
}
