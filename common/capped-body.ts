// Reading an HTTP body we only need the start of (an error reply, a partner answer): at most `limit` bytes, then the
// download stops, so a hostile or broken server cannot make us buffer an endless body.

export interface CappedReadOptions {
  /**
   * A body cut short mid-read: keep what arrived (it still explains the answer) instead of throwing. Off by default,
   * so a connection lost while reading is reported as one.
   */
  keepPartialOnError?: boolean;
}

/**
 * The first `limit` bytes of `body` as UTF-8 text. Leaving the loop early ends the iteration, which cancels a web
 * `ReadableStream` (fetch) and destroys a Node stream (http.IncomingMessage).
 */
export async function readCappedText(
  body: AsyncIterable<Uint8Array>,
  limit: number,
  options: CappedReadOptions = {},
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= limit) break;
    }
  } catch (error) {
    if (!options.keepPartialOnError) throw error;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit);
}
