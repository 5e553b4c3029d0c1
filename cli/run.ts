// The CLI's frame: pick the command, parse its flags, run it, print human text or `--json`, and turn every
// expected failure into one line on stderr with exit code 1 (2 for a mistake in the command line).
import {
  InvalidCustomerIdError,
  InvalidKycInputError,
  InvalidListFilterError,
  KycClientError,
} from '../client/kyc-client';
import { parseCommandLine, UsageError } from './args';
import { list, result, resume, retry, start, status, type Command } from './commands';
import { webhook } from './webhook';

const commands: readonly Command[] = [start, status, list, result, retry, resume, webhook];

export const globalHelp = `kyc — submit customers' KYC documents to the Technest rail through Temporal, and follow them

Usage: kyc <command> [options]        (from the project: npm run kyc -- <command> …)

Commands:
${commands.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

Every command takes:
  --json       print machine-readable JSON only (errors: {"error": …} on stderr)
  -h, --help   the command's own help, with examples

Environment:
  TEMPORAL_ADDRESS   Temporal frontend (default 127.0.0.1:7233); TEMPORAL_NAMESPACE (default "default");
                     TEMPORAL_API_KEY, TEMPORAL_TLS_* and TEMPORAL_PROFILE as the temporal CLI reads them
  KYC_TASK_QUEUE     the workers' task queue (default kyc)
  WEBHOOK_SECRET, WEBHOOK_PORT   defaults for "kyc webhook"

Examples:
  kyc start --customer-id ckcust_123 --reference pouch-user-12345 id_document=./passport.jpg
  kyc status ckcust_123
  kyc list --status pending_review
  kyc result ckcust_123 --wait
  kyc retry ckcust_123 --customer-id ckcust_456 id_document=./passport-clear.jpg
  kyc resume ckcust_123
  kyc webhook verified --customer-id ckcust_123 --secret "$WEBHOOK_SECRET"

Exit codes: 0 done, 1 failed (Temporal unreachable, no such run, refused…), 2 wrong command line.`;

export interface CliIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  out(text: string): void;
  err(text: string): void;
}

const defaultIo: CliIo = {
  env: process.env,
  cwd: process.cwd(),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs one command line; resolves to the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const json = argv.includes('--json');
  const at = argv.findIndex((arg) => !arg.startsWith('-'));
  const name = at === -1 ? undefined : argv[at];
  const rest = at === -1 ? argv : [...argv.slice(0, at), ...argv.slice(at + 1)];
  let command: Command | undefined;
  const fail = (code: number, message: string): number => {
    io.err(json ? JSON.stringify({ error: message }) : `kyc${command ? ` ${command.name}` : ''}: ${message}`);
    return code;
  };

  if (name === 'help') {
    const topic = commands.find((c) => c.name === rest.find((a) => !a.startsWith('-')));
    io.out(topic?.help ?? globalHelp);
    return 0;
  }
  if (name === undefined) {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(globalHelp);
      return 0;
    }
    return fail(2, 'missing command (run "kyc --help" for the list)');
  }
  command = commands.find((c) => c.name === name);
  if (!command)
    return fail(2, `unknown command "${name}": use one of ${commands.map((c) => c.name).join(', ')} (kyc --help)`);

  try {
    const { values, positionals } = parseCommandLine(rest, command.options);
    if (values.help) {
      io.out(command.help);
      return 0;
    }
    const output = await command.run({ values, positionals, env: io.env, cwd: io.cwd });
    io.out(json ? JSON.stringify(output.json, null, 2) : output.human);
    return output.exitCode ?? 0;
  } catch (err) {
    if (err instanceof UsageError) return fail(2, `${err.message} (kyc ${command.name} --help)`);
    if (
      err instanceof InvalidKycInputError ||
      err instanceof InvalidListFilterError ||
      err instanceof InvalidCustomerIdError
    ) {
      return fail(2, err.message);
    }
    if (io.env.KYC_DEBUG && err instanceof Error) io.err(err.stack ?? err.message);
    const message = err instanceof Error ? err.message : String(err);
    // Expected failures (KycClientError) and the rest alike: one line, the first of the message.
    return fail(1, err instanceof KycClientError ? message : (message.split('\n')[0] ?? message));
  }
}
