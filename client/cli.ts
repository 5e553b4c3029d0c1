// `npm run kyc -- <command>` / `kyc <command>`: the operator's view of KYC runs. Everything is in client/cli/.
import { runCli } from './cli/main';

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
