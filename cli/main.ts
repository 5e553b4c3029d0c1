// `npm run kyc -- <command>` / `kyc <command>` (bin/kyc): the operator's view of KYC runs. The frame is ./run.ts,
// the commands ./commands.ts and ./webhook.ts.
import { runCli } from './run';

// runCli never throws (it reports every error itself and resolves to the exit code), so nothing is left to catch.
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
