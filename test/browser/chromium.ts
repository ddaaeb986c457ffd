/**
 * Launches Debian's Chromium headless through playwright-core (no browser download).
 * Flags: see /work/shared/PROBE.md section 6 — root needs --no-sandbox; the background-networking
 * flags keep Chromium from calling out on a closed network; a fresh --user-data-dir per launch.
 * The Debian wrapper's "/usr/bin/chromium: 9: [: ...: unexpected operator" line is harmless.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.WPAL_CHROMIUM ?? '/usr/bin/chromium';

/** True when the browser tests should be skipped (WPAL_SKIP_BROWSER=1). */
export const skipBrowser = process.env.WPAL_SKIP_BROWSER === '1';

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests drive Debian's Chromium. Install it with ` +
        '`apt-get update && apt-get install -y chromium` (.ci/run does this), or set WPAL_SKIP_BROWSER=1 to skip them.',
    );
  }
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** `args`: extra Chromium flags for this launch (e.g. a fake microphone fed from a file). */
export async function launchChromium(opts: { args?: string[] } = {}): Promise<Chromium> {
  requireChromium();
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'wpal-chromium-'));
  // launchPersistentContext takes the profile dir (Playwright refuses --user-data-dir in args).
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...(opts.args ?? []),
    ],
    viewport: { width: 1000, height: 700 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Collects console errors and uncaught page errors, to fail tests that hide them. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}
