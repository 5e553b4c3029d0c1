// A real browser for tests that look at what operators see: Debian's Chromium driven by playwright-core.
// Playwright's own browser download needs general internet access; scripts/install-chromium.sh installs
// the distribution package instead, and this file refuses (never skips) when it is missing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The Web UI of the dev server the global setup started, e.g. http://127.0.0.1:38211. */
export const devServerUiUrl = (): string => inject('temporalUiUrl');

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a throwaway profile; fails with the install command when Chromium is missing. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: run \`bash scripts/install-chromium.sh\` (or set CHROMIUM_PATH)`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'kyc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1440, height: 1000 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Polls the Web UI until it answers (it starts beside the dev server's frontend, a moment later). */
export async function waitForUi(url = devServerUiUrl(), deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the Temporal Web UI at ${url} did not answer within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
