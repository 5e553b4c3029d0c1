// The bench's floor: the shape of kycWorkflow with nothing inside it. The same activities in the same order
// (check, 3 uploads at once, attach, submit, event; one signal; event), each a no-op, so what is left is the
// cost of Temporal itself. Bundled on its own (bench/floor-workflow.ts is the whole workflowsPath).
import { condition, defineSignal, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { KycStatus } from '../workflows/search-attributes';

export interface FloorActivities {
  floorCheck(): Promise<void>;
  floorUpload(category: string): Promise<void>;
  floorAttach(): Promise<void>;
  /** With `signalSelf`, the activity sends the workflow's signal right after it answers (the "webhook"). */
  floorSubmit(signalSelf: boolean): Promise<void>;
  floorEvent(type: string): Promise<void>;
}

export const floorDecided = defineSignal<[{ status: string }]>('floorDecided');

const act = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s' } });

export interface FloorInput {
  /** True: the submit activity signals the run itself, as the partner's webhook would right after submit. */
  signalAfterSubmit: boolean;
  /**
   * Figure 4's held runs: start already waiting, as kycWorkflow does when it continues as new while pending — mark
   * the stage (the bench counts runs by it) and wait for the signal, with no activity before.
   */
  waiting?: boolean;
}

export async function floorWorkflow(input: FloorInput): Promise<string> {
  let decision: string | undefined;
  setHandler(floorDecided, ({ status }) => {
    decision ??= status;
  });
  if (input.waiting) upsertSearchAttributes([{ key: KycStatus, value: 'pending_review' }]);
  else {
    await act.floorCheck();
    await Promise.all(['id_document', 'id_document_back', 'proof_of_address'].map((c) => act.floorUpload(c)));
    await act.floorAttach();
    await act.floorSubmit(input.signalAfterSubmit);
    await act.floorEvent('submitted');
  }
  await condition(() => decision !== undefined);
  await act.floorEvent(decision!);
  return decision!;
}
