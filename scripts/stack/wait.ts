// Waiting with a deadline, never a fixed sleep: `probe` is asked again every `everyMs` until it answers truthy;
// `fatal` names a reason to stop waiting at once (the process being waited for has exited).
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  options: { everyMs?: number; fatal?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const fatal = options.fatal?.();
    if (fatal) throw new Error(`${what}: ${fatal}`);
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not ready within ${timeoutMs} ms${lastError instanceof Error ? ` (${lastError.message})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 200));
  }
}
