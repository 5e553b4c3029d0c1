// Turns the measured figures into verdicts (PASS/MISS against each goal), a plain-text table, results.json,
// and the throughput chart as a hand-written SVG.
import type { BillingRow } from './billing';
import type { LatencyFigure } from './pending';
import type { ThroughputPoint } from './throughput';
import type { UploadFigure } from './upload';
import { round } from './util';

export interface Verdict {
  figure: string;
  /** Where it was measured: `dev`, `postgres`, or `time-skipping` (billing, which no real server can skip through). */
  server?: string;
  kyc: string;
  baseline: string;
  ratio: string;
  goal: string;
  pass: boolean;
}

export const goals = {
  throughputRatio: 0.85,
  uploadRatio: 0.85,
  uploadRssGrowthMiB: 64,
  /** Worker RSS holding N pending runs, against the floor worker holding as many. */
  pendingRssRatio: 1.3,
  /** RSS change allowed from the first to the last pending checkpoint. */
  pendingRssFlat: 0.1,
  /** Module state one cached run holds: zod alone was ~670 KiB (bench/module-state.ts). */
  moduleStateKib: 100,
  drainRatio: 0.5,
  latencyP50Ratio: 2,
} as const;

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** Medians of the runs; the ratio is the median of each run's KYC/floor, with the runs' min–max. */
export function throughputVerdicts(points: ThroughputPoint[]): Verdict[] {
  return points.map((p) => ({
    figure: `onboardings/s, ${p.concurrency} concurrent`,
    kyc: fmt(p.kycPerSecond),
    baseline: `${fmt(p.floorPerSecond)} (floor)`,
    ratio: `${fmt(p.ratio)} (${fmt(p.ratioMin)}–${fmt(p.ratioMax)})`,
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

/** Medians of the repetitions with their min–max; judged against curl paying the hash, as the activity must. */
export function uploadVerdicts(u: UploadFigure): Verdict[] {
  const rate = (r: UploadFigure['activity']) => `${fmt(r.median, 0)} (${fmt(r.min, 0)}–${fmt(r.max, 0)})`;
  return [
    {
      figure: `${u.bytes / 1e6} MB PDF upload, MiB/s`,
      kyc: rate(u.activity),
      baseline: `${rate(u.curlHashed)} (curl + sha256); ${rate(u.curlPlain)} (plain curl)`,
      ratio: `${fmt(u.ratio)} (plain: ${fmt(u.plainRatio)})`,
      goal: `≥ ${goals.uploadRatio} × curl + sha256`,
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

const header = ['figure', 'server', 'KYC', 'baseline (same run)', 'ratio', 'goal', 'result'];
const cells = (v: Verdict) => [v.figure, v.server ?? '', v.kyc, v.baseline, v.ratio, v.goal, v.pass ? 'PASS' : 'MISS'];

/** A fixed-width table for the terminal: each figure beside its baseline, one row per server. */
export function textTable(verdicts: Verdict[]): string {
  const rows = verdicts.map(cells);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table in Markdown, for the README. */
export function markdownTable(verdicts: Verdict[]): string {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...verdicts.map((v) => line(cells(v)))].join('\n');
}

/** One server's throughput points, for the chart. */
export interface ChartedServer {
  server: string;
  label: string;
  points: ThroughputPoint[];
}

const serverColors = ['#1f6feb', '#d9480f', '#2f9e44'];

/**
 * Throughput against concurrency (log₂ x axis) as a self-contained SVG: per server, KYC (solid) and its floor
 * (dashed) in the server's colour, each point the median of the runs with a bar from their min to their max.
 */
export function throughputSvg(servers: ChartedServer[], caption: string): string {
  // The legend (two rows a server) sits above the plot, so no line ever runs under it.
  const legendTop = 36;
  const [w, left, right, bottom] = [720, 60, 20, 60];
  const top = legendTop + servers.length * 32 + 12;
  const h = top + 300 + bottom;
  const all = servers.flatMap((s) => s.points);
  const xs = all.map((p) => Math.log2(p.concurrency));
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  const runValues = (p: ThroughputPoint) => p.runs.flatMap((r) => [r.kycPerSecond, r.floorPerSecond]);
  const yMax = niceCeil(Math.max(...all.flatMap((p) => [p.kycPerSecond, p.floorPerSecond, ...runValues(p)]), 1));
  const x = (c: number) => left + ((Math.log2(c) - xMin) / (xMax - xMin)) * (w - left - right - 20) + 10;
  const y = (v: number) => h - bottom - (v / yMax) * (h - top - bottom);
  const lanes = servers.length * 2;
  const series = (points: ThroughputPoint[], key: 'kyc' | 'floor', color: string, lane: number) => {
    // Each series a few pixels aside, so that bars at the same concurrency do not hide one another.
    const at = (p: ThroughputPoint) => x(p.concurrency) + (lane - (lanes - 1) / 2) * 4;
    const median = (p: ThroughputPoint) => (key === 'kyc' ? p.kycPerSecond : p.floorPerSecond);
    const runs = (p: ThroughputPoint) => p.runs.map((r) => (key === 'kyc' ? r.kycPerSecond : r.floorPerSecond));
    const dash = key === 'floor' ? ' stroke-dasharray="6 4"' : '';
    return [
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.map((p) => `${at(p).toFixed(1)},${y(median(p)).toFixed(1)}`).join(' ')}"/>`,
      ...points.map((p) => {
        const values = runs(p);
        const bar = values.length
          ? `<line x1="${at(p).toFixed(1)}" x2="${at(p).toFixed(1)}" y1="${y(Math.min(...values)).toFixed(1)}" y2="${y(Math.max(...values)).toFixed(1)}" stroke="${color}" stroke-width="1.5"/>`
          : '';
        const fill = key === 'kyc' ? color : 'white';
        return `${bar}<circle cx="${at(p).toFixed(1)}" cy="${y(median(p)).toFixed(1)}" r="3.5" fill="${fill}" stroke="${color}" stroke-width="1.5"/>`;
      }),
    ].join('');
  };
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
  const levels = [...new Set(all.map((p) => p.concurrency))];
  const legend = servers.flatMap((s, i) => {
    const color = serverColors[i % serverColors.length]!;
    const row = (k: number, dash: string, text: string) =>
      `<line x1="${left + 10}" x2="${left + 34}" y1="${legendTop + 4 + k * 16}" y2="${legendTop + 4 + k * 16}" stroke="${color}" stroke-width="2"${dash}/>` +
      `<text x="${left + 40}" y="${legendTop + 8 + k * 16}">${escapeXml(text)}</text>`;
    return [
      row(2 * i, '', `KYC workflow (end to end) — ${s.server}: ${s.label}`),
      row(2 * i + 1, ' stroke-dasharray="6 4"', `floor (no-op activities, one signal) — ${s.server}`),
    ];
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="20" text-anchor="middle" font-size="14">Onboardings per second against concurrency</text>`,
    ...yTicks.map(
      (t) =>
        `<line x1="${left}" x2="${w - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>` +
        `<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${round(t, 2)}</text>`,
    ),
    ...levels.map((c) => `<text x="${x(c).toFixed(1)}" y="${h - bottom + 16}" text-anchor="middle">${c}</text>`),
    `<line x1="${left}" x2="${w - right}" y1="${h - bottom}" y2="${h - bottom}" stroke="#333"/>`,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${h - bottom}" stroke="#333"/>`,
    `<text x="${w / 2}" y="${h - bottom + 34}" text-anchor="middle">concurrent onboardings</text>`,
    `<text x="16" y="${h / 2}" text-anchor="middle" transform="rotate(-90 16 ${h / 2})">onboardings/s</text>`,
    ...servers.flatMap((s, i) => {
      const color = serverColors[i % serverColors.length]!;
      return [series(s.points, 'floor', color, 2 * i + 1), series(s.points, 'kyc', color, 2 * i)];
    }),
    ...legend,
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
