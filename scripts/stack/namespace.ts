// The namespace and the contract's search attributes (docs/workflow.md), as the official set-up service does after
// the schema: the namespace registered, then KycStatus, CustomerReference and KycEscalated mapped onto SQL
// visibility's pre-allocated columns. Waits until the frontend knows both, since the namespace cache lags a write.
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { kycSearchAttributes } from '../../workflows/search-attributes';
import { ensureSearchAttributes } from '../dev-server';
import { waitFor } from './wait';

export async function ensureNamespace(
  address: string,
  namespace: string,
  options: { retentionDays?: number; timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const connection = await Connection.connect({ address });
  try {
    const described = await connection.workflowService.describeNamespace({ namespace }).catch(() => undefined);
    if (!described) {
      await connection.workflowService
        .registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs((options.retentionDays ?? 1) * 86_400_000),
        })
        .catch((err: Error) => {
          if (!/already exists|AlreadyExists/i.test(err.message)) throw err;
        });
    }
    await waitFor(
      `namespace ${namespace}`,
      async () => !!(await connection.workflowService.describeNamespace({ namespace })),
      timeoutMs,
    );
    await waitFor(
      `search attributes of ${namespace}`,
      async () => {
        await ensureSearchAttributes(connection, namespace);
        const listed = await connection.operatorService.listSearchAttributes({ namespace });
        return kycSearchAttributes.every((key) => !!listed.customAttributes?.[key.name]);
      },
      timeoutMs,
      { everyMs: 500 },
    );
  } finally {
    await connection.close();
  }
}
