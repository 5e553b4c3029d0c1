// The SDK logs every worker state change at INFO; tests only want to hear about problems.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process (another setup ran first): keep it.
}
