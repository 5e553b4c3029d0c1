// The dashboard and the alert rules against a live worker and receiver: every metric that deploy/grafana's dashboard
// and deploy/prometheus/alerts.yml query must be one the product exports. A real worker process and receiver process
// (metrics ports on) run onboardings to verified (with an expired upload URL, a partner 5xx, an escalation, a refused
// backend event; the verdict through the receiver) and to rejected, plus a webhook with a bad signature; then both
// /metrics are scraped and every name the PromQL expressions mention is looked up. The rules also go through
// `promtool check` when promtool is on PATH (Debian: `apt-get install prometheus`).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Client, Connection } from '@temporalio/client';
import { kycStartOptions } from '../client/start-options';
import { projectRoot } from '../scripts/toolchain';
import { freePorts } from '../scripts/ports';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { Rail } from '../sandbox/control-client';
import { kycWorkflow } from '../workflows';
import type { KycInput } from '../workflows/input';
import { statusQuery } from '../workflows/messages';
import { startEventSink } from './support/event-sink';
import { writeSampleDocuments } from './support/fixtures';
import { waitForStage } from './support/kyc-harness';
import { eventually, parsePrometheus, tryFetch } from './support/production';
import { devServerAddress, uniqueTaskQueue } from './support/temporal';
import { postWebhook, rejectedEvent, spawnReceiver, verifiedEvent, type ReceiverProcess } from './support/webhooks';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

const read = (file: string) => readFileSync(join(projectRoot, file), 'utf8');

// ---- What the dashboard and the rules query -------------------------------------------------------------------

interface Dashboard {
  panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }> }>;
}
interface Rules {
  groups: Array<{ name: string; rules: Array<{ alert?: string; expr: string }> }>;
}

/** Every PromQL expression of the dashboard and of the rules, with where it comes from. */
function queriedExpressions(): Array<{ where: string; expr: string }> {
  const dashboard = JSON.parse(read('deploy/grafana/dashboards/kyc.json')) as Dashboard;
  const rules = parse(read('deploy/prometheus/alerts.yml')) as Rules;
  return [
    ...dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })),
    ),
    ...rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }))),
  ];
}

const promqlWords = new Set([
  // operators and modifiers
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  // aggregations and functions (those called with a paren are skipped anyway; listed for `sum by (…) (…)`)
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'topk',
  'bottomk',
  'quantile',
  'stddev',
  'stdvar',
  'count_values',
  'inf',
  'nan',
]);

/**
 * The metric names one PromQL expression selects: identifiers outside label matchers, strings, range/offset brackets,
 * grouping clauses and function calls. `$__rate_interval` and other Grafana variables are dropped too.
 */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ') // strings
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\$\w+/g, ' ') // Grafana variables
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // grouping label lists
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?[smhdwy]?\b/gi, ' '); // numbers and durations
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const after = stripped.slice(match.index + word.length);
    if (/^\s*\(/.test(after)) continue; // a function or aggregation call
    if (promqlWords.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/** `name{label="…", …}` selectors of an expression: the label names each one matches on. */
function selectorLabels(expr: string): Array<{ name: string; labels: string[] }> {
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...noStrings.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)].map((m) => ({
    name: m[1]!,
    labels: [...m[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!),
  }));
}

/** Metric families of an exposition, by name, with their type (`counter`, `histogram`…) from the # TYPE lines. */
function families(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1]!, match[2]!);
  return types;
}

/**
 * Whether `name` is exported: a sample of that name, or a histogram/summary family whose _bucket, _sum or _count it
 * names (a `_bucket` only of a histogram). `up` is written by Prometheus itself for every target.
 */
function exported(name: string, samples: Set<string>, types: Map<string, string>): boolean {
  if (name === 'up') return true;
  if (samples.has(name)) return true;
  const suffix = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!suffix) return false;
  const type = types.get(suffix[1]!);
  return suffix[2] === 'bucket' ? type === 'histogram' : type === 'histogram' || type === 'summary';
}

describe('the PromQL name extraction', () => {
  it('finds selected metrics and nothing else', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, outcome) (rate(kyc_pending_review_seconds_bucket{job="kyc-worker"}[$__rate_interval])))',
      ),
    ).toEqual(['kyc_pending_review_seconds_bucket']);
    expect(
      metricNames('sum(increase(a_total[1h])) - sum(increase(b_bucket{le="86400"}[1h])) > 0 and on(job) up == 1'),
    ).toEqual(['a_total', 'b_bucket', 'up']);
    expect(metricNames('sum without (instance) (rate(x_total[5m] offset 1h)) / 1e3')).toEqual(['x_total']);
    expect(selectorLabels('rate(a{route="/x{y}", code=~"4.."}[5m]) / b')).toEqual([
      { name: 'a', labels: ['route', 'code'] },
    ]);
  });
});

// ---- The live processes -----------------------------------------------------------------------------------------

const taskQueue = uniqueTaskQueue('kyc-metrics');
const secret = 'whsec_metrics_test';
let sandbox: Sandbox;
let rail: Rail;
let events: Awaited<ReturnType<typeof startEventSink>>;
let worker: WorkerProcess;
let receiver: ReceiverProcess;
let connection: Connection;
let client: Client;
let documents: KycInput['documents'];
let workerMetrics: string;
let receiverMetrics: string;

beforeAll(async () => {
  sandbox = await startSandbox({ review: { outcome: 'never' } });
  rail = new Rail(sandbox.url);
  // Our backend refuses the escalation event: kyc_backend_events_refused_total.
  events = await startEventSink({ answer: (type) => (type === 'kyc.escalated' ? 422 : 204) });
  const dir = mkdtempSync(join(tmpdir(), 'kyc-metrics-'));
  const samples = await writeSampleDocuments(dir);
  documents = [{ category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg }];

  const [workerMetricsPort, healthPort, webhookPort, receiverMetricsPort] = await freePorts(4);
  workerMetrics = `http://127.0.0.1:${workerMetricsPort}/metrics`;
  receiverMetrics = `http://127.0.0.1:${receiverMetricsPort}/metrics`;
  [worker, receiver] = await Promise.all([
    startWorkerProcess(
      {
        TEMPORAL_ADDRESS: devServerAddress(),
        KYC_TASK_QUEUE: taskQueue,
        TECHNEST_API_URL: sandbox.url,
        TECHNEST_API_KEY: rail.apiKey,
        KYC_EVENTS_URL: events.url,
        KYC_SOURCE_ROOTS: dir,
        KYC_METRICS_PORT: String(workerMetricsPort),
        KYC_HEALTH_PORT: String(healthPort),
        KYC_OPS_HOST: '127.0.0.1',
      },
      120_000,
    ),
    spawnReceiver({
      TEMPORAL_ADDRESS: devServerAddress(),
      WEBHOOK_SECRET: secret,
      WEBHOOK_PORT: String(webhookPort),
      WEBHOOK_METRICS_PORT: String(receiverMetricsPort),
    }),
  ]);
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  if (receiver?.child.exitCode === null) {
    receiver.child.kill('SIGTERM');
    await receiver.exited;
  }
  await connection?.close();
  await sandbox?.close();
  await events?.close();
});

async function start(reference: string, timing: KycInput['timing']) {
  const customerId = await rail.createCustomer(reference);
  const handle = await client.workflow.start(
    kycWorkflow,
    kycStartOptions({ customerId, customerReference: reference, documents, timing }, taskQueue),
  );
  return { customerId, handle };
}

describe('the dashboard and the alert rules', () => {
  it('drives onboardings to verified and rejected through the receiver, and a webhook 401', async () => {
    const stamp = Date.now();
    const verified = await start(`metrics-v-${stamp}`, { firstPollAfter: '1h', escalateAfter: 300 });
    await rail.faults(verified.customerId, { expireUploads: 1, fail5xx: 1 });
    await waitForStage(verified.handle, 'pending_review', 60_000);
    await eventually(async () => (await verified.handle.query(statusQuery)).escalatedAt, 'escalation');
    await rail.decide(verified.customerId, 'verify');
    const verifiedAnswer = await postWebhook(receiver.url!, verifiedEvent(verified.customerId, `metrics-v-${stamp}`), {
      secrets: secret,
    });
    expect(verifiedAnswer.status).toBe(200);
    expect(await verified.handle.result()).toMatchObject({ status: 'verified' });

    const rejected = await start(`metrics-r-${stamp}`, { firstPollAfter: '1h', escalateAfter: '1h' });
    await waitForStage(rejected.handle, 'pending_review', 60_000);
    await rail.decide(rejected.customerId, 'reject', 'Document unreadable');
    const rejectedAnswer = await postWebhook(
      receiver.url!,
      rejectedEvent(rejected.customerId, `metrics-r-${stamp}`, 'Document unreadable'),
      { secrets: secret },
    );
    expect(rejectedAnswer.status).toBe(200);
    expect(await rejected.handle.result()).toMatchObject({ status: 'rejected' });

    const forged = await postWebhook(receiver.url!, verifiedEvent(verified.customerId, 'x'), { secrets: 'wrong' });
    expect(forged.status).toBe(401);
  });

  it('queries only metrics that the worker and the receiver export', async () => {
    // The worker's last series land with the run's last task: poll until the rejection is counted.
    const workerText = await eventually(async () => {
      const body = await (await tryFetch(workerMetrics))?.text();
      return body && /kyc_rejections\w*\{/.test(body) && /kyc_backend_events_refused\w*\{/.test(body)
        ? body
        : undefined;
    }, 'the KYC series on the worker /metrics');
    const receiverText = await (await tryFetch(receiverMetrics))!.text();
    const text = `${workerText}\n${receiverText}`;
    const samples = new Set(parsePrometheus(text).map((s) => s.name));
    const types = families(text);

    const expressions = queriedExpressions();
    expect(expressions.length).toBeGreaterThan(10);
    const missing: string[] = [];
    const queried = new Set<string>();
    for (const { where, expr } of expressions) {
      const names = metricNames(expr);
      expect(names.length, `${where} selects a metric: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        queried.add(name);
        if (!exported(name, samples, types)) missing.push(`${where}: ${name}`);
      }
    }
    expect(missing, `not exported:\n${[...samples].sort().join('\n')}`).toEqual([]);
    // The labels a selector matches on are labels the series carry (`up` has the target's job and instance).
    const parsed = parsePrometheus(text);
    for (const { where, expr } of expressions) {
      for (const { name, labels } of selectorLabels(expr)) {
        const carried = new Set(
          name === 'up'
            ? ['job', 'instance']
            : parsed.filter((s) => s.name === name).flatMap((s) => Object.keys(s.labels)),
        );
        for (const label of labels) expect([...carried], `${where}: ${name}{${label}}`).toContain(label);
      }
    }
    // What an operator watches is all there: the list, by the metrics that answer it.
    for (const name of [
      'kyc_stage_entered_total',
      'kyc_pending_review_seconds_bucket',
      'kyc_escalations_total',
      'kyc_upload_url_refreshes_total',
      'kyc_upload_bytes_total',
      'kyc_upload_seconds_bucket',
      'kyc_partner_errors_total',
      'kyc_webhook_requests_total',
      'kyc_backend_events_refused_total',
      'up',
    ])
      expect([...queried], name).toContain(name);
    expect([...queried].some((name) => /^temporal_worker_task_slots_(available|used)$/.test(name))).toBe(true);
  });

  it('the rules and the scrape configuration pass promtool, when it is installed', () => {
    const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
    if (found.error) {
      console.warn('promtool is not on PATH: rules checked by the parser above only');
      return;
    }
    const rules = spawnSync('promtool', ['check', 'rules', 'deploy/prometheus/alerts.yml'], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
    execFileSync('promtool', ['check', 'config', '--syntax-only', 'deploy/prometheus/prometheus.yml'], {
      cwd: projectRoot,
      stdio: 'pipe',
    });
  });
});
