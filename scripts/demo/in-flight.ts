// Counts the demo's Temporal calls that have not settled yet. `npm start` closes its gRPC connection at the end;
// a call still running then (or waiting in the SDK's retry timer) fails later with "Channel has been shut down"
// from a timer, as an uncaught error, after every path ended correctly. The demo must settle every call it makes
// before shutdown; this makes a call that did not a named, immediate failure instead of a race.
export interface InFlight<T extends object> {
  /** The same object; every method returning a promise is counted until that promise settles. */
  target: T;
  /** Names of the calls still running, e.g. ["status", "status"]. */
  pending(): string[];
}

export function trackInFlight<T extends object>(target: T): InFlight<T> {
  const running = new Map<number, string>();
  let next = 0;
  const proxy = new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out = value.apply(obj, args);
        if (!(out instanceof Promise)) return out;
        const id = next++;
        running.set(id, String(key));
        return out.finally(() => running.delete(id));
      };
    },
  });
  return { target: proxy, pending: () => [...running.values()] };
}
