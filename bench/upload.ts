// Figure 3: a 50 MB PDF PUT to the sandbox's pre-signed URL by the upload activity's own code (putDocument,
// in the KYC worker's process, inside an activity context), against two curl baselines to the same kind of URL:
//   plain  `curl -T file`: sends the bytes, hashes nothing (curl streams the file with its Content-Length);
//   hashed the same single pass the activity makes — the file read once, every byte through sha256 on its way to
//          the PUT — done with the standard tools: `tee` into a FIFO that `openssl dgst -sha256` reads, and into
//          `curl -T -` with the Content-Length announced (the activity reports the sha256 the workflow compares
//          with the document check, so it cannot skip the hash). OpenSSL is the library Node's crypto calls, with
//          the CPU's SHA instructions; coreutils' sha256sum uses none here and took five times as long, which
//          would flatter us. Hashing first and uploading after reads the file twice and overlaps nothing: a different
//          job from the activity's, and measured within a few percent of this one here.
// The verdict is against the hashed baseline; the plain one shows what the hash costs. A fresh intent for each
// PUT; the three rotate their order each repetition so none always gets the warmer machine.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeLargePdf } from '../scripts/sample-documents';
import type { PutResult } from './protocol';
import type { Stack } from './stack';
import { median, mib, ratio } from './util';

const run = promisify(execFile);
export const UPLOAD_BYTES = 50 * 1000 * 1000;

/** Median MiB/s of the repetitions, with the slowest and fastest. */
export interface Rate {
  median: number;
  min: number;
  max: number;
}

export interface UploadFigure {
  bytes: number;
  repetitions: number;
  activity: Rate;
  /** `curl -T file`: the bytes only. */
  curlPlain: Rate;
  /** tee → openssl sha256 + `curl -T -`: the bytes and their hash in one pass, as the activity does. */
  curlHashed: Rate;
  /** activity / hashed baseline (medians): the verdict. */
  ratio: number;
  /** activity / plain curl (medians): what the hash costs, shown beside. */
  plainRatio: number;
  /** Peak RSS during a PUT minus RSS just before it, worst repetition. */
  rssGrowthMiB: number;
  samples: { activityMs: number[]; curlPlainMs: number[]; curlHashedMs: number[] };
}

interface IntentReply {
  file_id: string;
  upload_url: string;
  expires_at: string;
  required_headers: Record<string, string>;
}

// $1 file, $2 fifo, $3 digest output, $4 Content-Length, $5 URL, then `-H` arguments. Prints "<status> <start> <end>"
// (seconds): from before the hasher starts until both the hash and the PUT are done.
const hashedPut = `
set -o pipefail
file=$1 fifo=$2 out=$3 length=$4 url=$5; shift 5
rm -f "$fifo"; mkfifo "$fifo"
start=$EPOCHREALTIME
openssl dgst -sha256 -r < "$fifo" > "$out" &
hasher=$!
code=$(tee "$fifo" < "$file" | curl -sS -o /dev/null -w '%{http_code}' -T - -H 'Transfer-Encoding:' \\
  -H "Content-Length: $length" "$@" "$url")
wait "$hasher"
echo "$code $start $EPOCHREALTIME"
`;

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
  const headerArgs = (reply: IntentReply) =>
    Object.entries(reply.required_headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);

  const worker = await stack.kycWorker(`bench-upload-${Date.now().toString(36)}`, {
    KYC_MAX_FILE_BYTES: String(64 * 1024 * 1024),
  });
  const samples = { activityMs: [] as number[], curlPlainMs: [] as number[], curlHashedMs: [] as number[] };
  let rssGrowth = 0;
  try {
    const ways = {
      activity: async () => {
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
        rssGrowth = Math.max(rssGrowth, put.rssPeak - put.rssBefore);
        return put.ms;
      },
      curlPlain: async () => {
        const reply = await intent();
        const { stdout } = await run('curl', [
          '-sS',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code} %{time_total}',
          '-T',
          file.path,
          ...headerArgs(reply),
          reply.upload_url,
        ]);
        const [code, seconds] = stdout.trim().split(' ');
        if (code !== '200') throw new Error(`curl PUT answered ${code}`);
        await checkReceived(reply.file_id);
        return Number(seconds) * 1000;
      },
      curlHashed: async () => {
        const reply = await intent();
        const digest = join(stack.dir, 'large.pdf.sha256');
        const { stdout } = await run('bash', [
          '-c',
          hashedPut,
          'hashed-put',
          file.path,
          join(stack.dir, 'hash.fifo'),
          digest,
          String(UPLOAD_BYTES),
          reply.upload_url,
          ...headerArgs(reply),
        ]);
        const [code, start, end] = stdout.trim().split(' ');
        if (code !== '200') throw new Error(`tee | curl PUT answered ${code}`);
        const hashed = readFileSync(digest, 'utf8');
        if (!hashed.startsWith(file.sha256)) throw new Error(`openssl hashed something else: ${hashed}`);
        await checkReceived(reply.file_id);
        return (Number(end) - Number(start)) * 1000;
      },
    };
    const order = ['activity', 'curlPlain', 'curlHashed'] as const;
    const into = { activity: 'activityMs', curlPlain: 'curlPlainMs', curlHashed: 'curlHashedMs' } as const;

    // One of each to warm up (file cache, JIT, sockets), not counted.
    for (const way of order) await ways[way]();
    for (let i = 0; i < repetitions; i++) {
      const shift = i % order.length;
      for (const way of [...order.slice(shift), ...order.slice(0, shift)]) samples[into[way]].push(await ways[way]());
    }
  } finally {
    await worker.stop();
  }
  const rate = (ms: number[]): Rate => {
    const mibps = (t: number) => mib(UPLOAD_BYTES) / (t / 1000);
    return { median: mibps(median(ms)), min: mibps(Math.max(...ms)), max: mibps(Math.min(...ms)) };
  };
  const activity = rate(samples.activityMs);
  const curlPlain = rate(samples.curlPlainMs);
  const curlHashed = rate(samples.curlHashedMs);
  const show = (r: Rate) => `${r.median.toFixed(0)} MiB/s (${r.min.toFixed(0)}–${r.max.toFixed(0)})`;
  log(
    `  activity ${show(activity)}, curl + sha256 ${show(curlHashed)}, curl ${show(curlPlain)}; ` +
      `RSS growth ${mib(rssGrowth).toFixed(1)} MiB`,
  );
  return {
    bytes: UPLOAD_BYTES,
    repetitions,
    activity,
    curlPlain,
    curlHashed,
    ratio: ratio(activity.median, curlHashed.median),
    plainRatio: ratio(activity.median, curlPlain.median),
    rssGrowthMiB: mib(rssGrowth),
    samples,
  };
}
