// `npm run kyc -- <command>` / `kyc <command>` (bin/kyc): the operator's view of KYC runs. The frame is ./run.ts,
// the commands ./commands.ts and ./webhook.ts.
import { runCli } from './run';

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
