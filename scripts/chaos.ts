// `npm run chaos [-- --n 200 --seed 42]`: the chaos run (scripts/chaos/run.ts) with its summary table.
// Exits 1 when an invariant fails; the printed seed replays the same plan, fault rolls and kill schedule.
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { formatReport } from './chaos/report';
import { runChaos } from './chaos/run';

const argsSchema = z.object({
  n: z.coerce.number().int().min(1).max(5000).default(200),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(() => Math.floor(Math.random() * 2 ** 32)),
  kills: z.coerce.number().int().min(0).optional(),
  'receiver-restarts': z.coerce.number().int().min(0).optional(),
});

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string' },
      seed: { type: 'string' },
      kills: { type: 'string' },
      'receiver-restarts': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log('usage: npm run chaos -- [--n 200] [--seed <int>] [--kills 8] [--receiver-restarts 3]');
    return 0;
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n'));
  const args = parsed.data;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  console.log(`chaos run: ${args.n} onboardings, seed ${args.seed} (replay with --seed ${args.seed})`);
  const report = await runChaos({
    n: args.n,
    seed: args.seed,
    ...(args.kills !== undefined ? { workerKills: args.kills } : {}),
    ...(args['receiver-restarts'] !== undefined ? { receiverRestarts: args['receiver-restarts'] } : {}),
    // Spread the starts with the size of the run, so the kills land on every stage.
    startSpreadMs: Math.min(60_000, Math.max(5_000, args.n * 100)),
    log: (line) => console.log(line),
  });
  console.log(`\n${formatReport(report)}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
