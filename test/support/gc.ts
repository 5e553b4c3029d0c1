// Garbage collection on demand, for tests of anything that must survive one (a request's time limit held only
// by weak references would be collected: common/abort-after.ts).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
// A context created after the flag is set gets the `gc` global.
const gc = runInNewContext('gc') as () => void;

/** Collects garbage every `everyMs` until the returned function is called. */
export function collectGarbageEvery(everyMs: number): () => void {
  const loop = setInterval(gc, everyMs);
  return () => clearInterval(loop);
}
