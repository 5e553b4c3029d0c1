// Figure 3: a 50 MB PDF PUT to the sandbox's pre-signed URL by the upload activity's own code (putDocument,
// in the KYC worker's process, inside an activity context), against `curl --data-binary @file -X PUT` to the
// same kind of URL. A fresh intent for each PUT; the two alternate so neither gets the warmer machine.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeLargePdf } from '../scripts/sample-documents';
import type { PutResult } from './protocol';
import type { Stack } from './stack';
import { median, mib, ratio } from './util';

const run = promisify(execFile);
export const UPLOAD_BYTES = 50 * 1000 * 1000;

export interface UploadFigure {
  bytes: number;
  repetitions: number;
  activityMiBps: number;
  curlMiBps: number;
  ratio: number;
  /** Peak RSS during a PUT minus RSS just before it, worst repetition. */
  rssGrowthMiB: number;
  samples: { activityMs: number[]; curlMs: number[] };
}

interface IntentReply {
  file_id: string;
  upload_url: string;
  expires_at: string;
  required_headers: Record<string, string>;
}

export async function measureUpload(
  stack: Stack,
  repetitions: number,
  log: (line: string) => void,
): Promise<UploadFigure> {
  const file = await makeLargePdf(join(stack.dir, 'large.pdf'), UPLOAD_BYTES);
  const customerId = await stack.rail.createCustomer(`bench-upload-${Date.now().toString(36)}`);
  const intent = async (): Promise<IntentReply> => {
    const res = await fetch(`${stack.sandbox.url}/v1/customers/${customerId}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.rail.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        file_category: 'proof_of_address',
        filename: 'large.pdf',
        content_type: 'application/pdf',
      }),
    });
    if (!res.ok) throw new Error(`upload intent → ${res.status} ${await res.text()}`);
    return (await res.json()) as IntentReply;
  };
  const checkReceived = async (fileId: string) => {
    const seen = (await stack.rail.inspect(customerId)).uploads.find((u) => u.file_id === fileId);
    if (seen?.sha256 !== file.sha256) throw new Error(`sandbox did not receive ${fileId} intact`);
  };

  const worker = await stack.kycWorker(`bench-upload-${Date.now().toString(36)}`, {
    KYC_MAX_FILE_BYTES: String(64 * 1024 * 1024),
  });
  const activityMs: number[] = [];
  const curlMs: number[] = [];
  let rssGrowth = 0;
  try {
    const viaActivity = async () => {
      const reply = await intent();
      const put = await worker.call<PutResult>({
        type: 'put',
        source: file.path,
        intent: {
          fileId: reply.file_id,
          uploadUrl: reply.upload_url,
          expiresAt: reply.expires_at,
          requiredHeaders: reply.required_headers,
        },
        partnerUrl: stack.sandbox.url,
        maxFileBytes: 64 * 1024 * 1024,
      });
      if (put.sha256 !== file.sha256) throw new Error('activity uploaded different bytes');
      await checkReceived(reply.file_id);
      return put;
    };
    const viaCurl = async () => {
      const reply = await intent();
      const headers = Object.entries(reply.required_headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
      const { stdout } = await run('curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{time_total}',
        '--data-binary',
        `@${file.path}`,
        '-X',
        'PUT',
        ...headers,
        reply.upload_url,
      ]);
      const [code, seconds] = stdout.trim().split(' ');
      if (code !== '200') throw new Error(`curl PUT answered ${code}`);
      await checkReceived(reply.file_id);
      return Number(seconds) * 1000;
    };

    // One of each to warm up (file cache, JIT, sockets), not counted.
    await viaActivity();
    await viaCurl();
    for (let i = 0; i < repetitions; i++) {
      const order = i % 2 === 0 ? (['activity', 'curl'] as const) : (['curl', 'activity'] as const);
      for (const which of order) {
        if (which === 'curl') curlMs.push(await viaCurl());
        else {
          const put = await viaActivity();
          activityMs.push(put.ms);
          rssGrowth = Math.max(rssGrowth, put.rssPeak - put.rssBefore);
        }
      }
    }
  } finally {
    await worker.stop();
  }
  const mibps = (ms: number) => mib(UPLOAD_BYTES) / (ms / 1000);
  const activityMiBps = mibps(median(activityMs));
  const curlMiBps = mibps(median(curlMs));
  log(
    `  activity ${activityMiBps.toFixed(0)} MiB/s, curl ${curlMiBps.toFixed(0)} MiB/s, RSS growth ${mib(rssGrowth).toFixed(1)} MiB`,
  );
  return {
    bytes: UPLOAD_BYTES,
    repetitions,
    activityMiBps,
    curlMiBps,
    ratio: ratio(activityMiBps, curlMiBps),
    rssGrowthMiB: mib(rssGrowth),
    samples: { activityMs, curlMs },
  };
}
