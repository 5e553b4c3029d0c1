// Turns the measured figures into verdicts (PASS/MISS against each goal), a plain-text table, results.json,
// and the throughput chart as a hand-written SVG.
import type { BillingRow } from './billing';
import type { LatencyFigure, PendingFigure } from './pending';
import type { ThroughputPoint } from './throughput';
import type { UploadFigure } from './upload';
import { round } from './util';

export interface Verdict {
  figure: string;
  kyc: string;
  baseline: string;
  ratio: string;
  goal: string;
  pass: boolean;
}

export const goals = {
  throughputRatio: 0.85,
  uploadRatio: 0.8,
  uploadRssGrowthMiB: 64,
  pendingRssMiB: 1536,
  drainRatio: 0.5,
  latencyP50Ratio: 2,
} as const;

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function throughputVerdicts(points: ThroughputPoint[]): Verdict[] {
  return points.map((p) => ({
    figure: `onboardings/s, ${p.concurrency} concurrent`,
    kyc: fmt(p.kycPerSecond),
    baseline: `${fmt(p.floorPerSecond)} (floor)`,
    ratio: fmt(p.ratio),
    goal: `≥ ${goals.throughputRatio} × floor`,
    pass: p.ratio >= goals.throughputRatio,
  }));
}

export function billingVerdicts(rows: BillingRow[]): Verdict[] {
  const label = { webhook1h: 'webhook at 1 h', poll20h: 'poll at 20 h', pending30h: 'pending 30 h' } as const;
  return rows.map((r) => ({
    figure: `billable actions, ${label[r.path]}`,
    kyc: String(r.kyc),
    baseline: `${r.naive} (naive 1-min poll${r.naiveMeasured ? '' : ', extrapolated from its 1 h run'})`,
    ratio: fmt(r.kyc / r.naive, 3),
    goal: `≤ ${r.budget}`,
    pass: r.kyc <= r.budget,
  }));
}

export function uploadVerdicts(u: UploadFigure): Verdict[] {
  return [
    {
      figure: `${u.bytes / 1e6} MB PDF upload, MiB/s`,
      kyc: fmt(u.activityMiBps, 0),
      baseline: `${fmt(u.curlMiBps, 0)} (curl)`,
      ratio: fmt(u.ratio),
      goal: `≥ ${goals.uploadRatio} × curl`,
      pass: u.ratio >= goals.uploadRatio,
    },
    {
      figure: 'worker RSS growth during the upload, MiB',
      kyc: fmt(u.rssGrowthMiB, 1),
      baseline: '—',
      ratio: '—',
      goal: `< ${goals.uploadRssGrowthMiB} MiB`,
      pass: u.rssGrowthMiB < goals.uploadRssGrowthMiB,
    },
  ];
}

export function pendingVerdicts(p: PendingFigure): Verdict[] {
  return [
    {
      figure: `worker RSS holding ${p.pending} pending (peak), MiB`,
      kyc: fmt(p.workerRssMiB.peak, 0),
      baseline: `${fmt(p.floorWorkerRssMiB.peak, 0)} (floor worker)`,
      ratio: '—',
      goal: `< ${goals.pendingRssMiB} MiB`,
      pass: p.workerRssMiB.peak < goals.pendingRssMiB,
    },
    {
      figure: `drain of ${p.pending} webhooks, runs closed/s`,
      kyc: fmt(p.kycDrainPerSecond, 1),
      baseline: `${fmt(p.floorDrainPerSecond, 1)} (floor, raw signals)`,
      ratio: fmt(p.drainRatio),
      goal: `≥ ${goals.drainRatio} × floor`,
      pass: p.drainRatio >= goals.drainRatio,
    },
  ];
}

export function latencyVerdicts(l: LatencyFigure): Verdict[] {
  return [
    {
      figure: `webhook → run closed, p50 / p99 ms (${l.samples} samples)`,
      kyc: `${fmt(l.kycP50Ms, 0)} / ${fmt(l.kycP99Ms, 0)}`,
      baseline: `${fmt(l.rawP50Ms, 0)} / ${fmt(l.rawP99Ms, 0)} (raw signal)`,
      ratio: `${fmt(l.p50Ratio)} (p50)`,
      goal: `p50 ≤ ${goals.latencyP50Ratio} × raw`,
      pass: l.p50Ratio <= goals.latencyP50Ratio,
    },
  ];
}

/** A fixed-width table for the terminal. */
export function textTable(verdicts: Verdict[]): string {
  const header = ['figure', 'KYC', 'baseline (same run)', 'ratio', 'goal', 'result'];
  const rows = verdicts.map((v) => [v.figure, v.kyc, v.baseline, v.ratio, v.goal, v.pass ? 'PASS' : 'MISS']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table in Markdown, for the README. */
export function markdownTable(verdicts: Verdict[]): string {
  const rows = verdicts.map(
    (v) => `| ${v.figure} | ${v.kyc} | ${v.baseline} | ${v.ratio} | ${v.goal} | ${v.pass ? 'PASS' : 'MISS'} |`,
  );
  return ['| figure | KYC | baseline (same run) | ratio | goal | result |', '|---|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}

/** Throughput against concurrency (log₂ x axis), KYC and floor, as a self-contained SVG. */
export function throughputSvg(points: ThroughputPoint[], caption: string): string {
  const [w, h, left, right, top, bottom] = [640, 400, 60, 20, 40, 60];
  const xs = points.map((p) => Math.log2(p.concurrency));
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  const yMax = niceCeil(Math.max(...points.flatMap((p) => [p.kycPerSecond, p.floorPerSecond]), 1));
  const x = (c: number) => left + ((Math.log2(c) - xMin) / (xMax - xMin)) * (w - left - right);
  const y = (v: number) => h - bottom - (v / yMax) * (h - top - bottom);
  const series = (key: 'kycPerSecond' | 'floorPerSecond', color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((p) => `${x(p.concurrency).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ')}"/>` +
    points
      .map((p) => `<circle cx="${x(p.concurrency).toFixed(1)}" cy="${y(p[key]).toFixed(1)}" r="3" fill="${color}"/>`)
      .join('');
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="20" text-anchor="middle" font-size="14">Onboardings per second against concurrency</text>`,
    ...yTicks.map(
      (t) =>
        `<line x1="${left}" x2="${w - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>` +
        `<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${round(t, 1)}</text>`,
    ),
    ...points.map(
      (p) =>
        `<text x="${x(p.concurrency).toFixed(1)}" y="${h - bottom + 16}" text-anchor="middle">${p.concurrency}</text>`,
    ),
    `<line x1="${left}" x2="${w - right}" y1="${h - bottom}" y2="${h - bottom}" stroke="#333"/>`,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${h - bottom}" stroke="#333"/>`,
    `<text x="${w / 2}" y="${h - bottom + 34}" text-anchor="middle">concurrent onboardings</text>`,
    `<text x="16" y="${h / 2}" text-anchor="middle" transform="rotate(-90 16 ${h / 2})">onboardings/s</text>`,
    series('floorPerSecond', '#999'),
    series('kycPerSecond', '#1f6feb'),
    `<rect x="${left + 10}" y="${top}" width="12" height="3" fill="#1f6feb"/><text x="${left + 28}" y="${top + 5}">KYC workflow (end to end)</text>`,
    `<rect x="${left + 10}" y="${top + 16}" width="12" height="3" fill="#999"/><text x="${left + 28}" y="${top + 21}">floor (no-op activities, one signal)</text>`,
    `<text x="${w / 2}" y="${h - 8}" text-anchor="middle" fill="#666" font-size="10">${escapeXml(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

function niceCeil(value: number): number {
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / step) * step;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
