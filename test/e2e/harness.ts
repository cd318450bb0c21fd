// What the browser tests and the dashboard benchmark share: Debian's Chromium driven by
// playwright-core, and an API server (with the built dashboard) on a fresh test database.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { ApiRole } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/api/server.ts';
import { DEFAULT_WEB_DIR, loadWebAssets } from '../../src/api/web-assets.ts';
import { type AuthKeys, signToken } from '../../src/services/tokens.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = existsSync(CHROMIUM);
export const ARTIFACTS = path.resolve('test-artifacts/dashboard');

const SECRET = 'e2e-secret-0123456789abcdefghijklmnopqrstuvwxyz';
export const keys: AuthKeys = { algorithm: 'HS256', key: new TextEncoder().encode(SECRET), signingSecret: SECRET };

export function tokenFor(role: ApiRole, sub: string): Promise<string> {
  return signToken(SECRET, { sub, role, ttlSeconds: 3600, issuer: null, audience: null }, new Date());
}

/** The built dashboard; built here when web/dist is missing (npm ci builds it through prepare). */
export function ensureBuilt(): void {
  if (existsSync(path.join(DEFAULT_WEB_DIR, 'index.html'))) return;
  const result = spawnSync('npm', ['run', '-s', 'build:web'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build:web failed');
}

export async function serveDashboard(ctx: Parameters<typeof startServer>[0]): Promise<RunningServer> {
  ensureBuilt();
  return startServer(ctx, { keys, host: '127.0.0.1', port: 0, handleSignals: false, docsUi: false, processMetrics: false, webAssets: loadWebAssets() });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

/** Signs a page in by pasting a token into the sign-in form, as a user would. */
export async function signInWithToken(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/#/campaigns`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').waitFor();
}

export interface LoadFigures {
  /** Compressed bytes of JavaScript the first load transferred (encodedBodySize of every script). */
  jsBytesCompressed: number;
  jsBytesDecoded: number;
  /** From navigation start to the recommendation (numbers, charts, tables) on the page and answering input. */
  recommendationShownMs: number;
  /** ... and to the comparison with the targeting in force (the diff) loaded too. */
  recommendationCompleteMs: number;
}

/** Opens the recommendation page cold (new context, empty cache) and measures it. */
export async function measureRecommendationLoad(browser: Browser, baseUrl: string, token: string, campaignId: string): Promise<LoadFigures> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // The token goes into session storage before the page's own script runs, as after a sign-in.
  await context.addInitScript((t) => sessionStorage.setItem('targeting-optimizer.token', t), token);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/#/recommendation/${campaignId}`);
  await page.locator('[data-testid="recommendation"][data-ready="true"]').waitFor();
  await page.locator('canvas').first().waitFor();
  const figures = await page.evaluate(() => {
    const scripts = (performance.getEntriesByType('resource') as unknown as { initiatorType: string; name: string; encodedBodySize: number; decodedBodySize: number }[]).filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'));
    const mark = (name: string) => performance.getEntriesByName(name, 'mark')[0]?.startTime ?? Number.NaN;
    return {
      jsBytesCompressed: scripts.reduce((s, r) => s + r.encodedBodySize, 0),
      jsBytesDecoded: scripts.reduce((s, r) => s + r.decodedBodySize, 0),
      recommendationShownMs: Math.round(mark('recommendation-shown')),
      recommendationCompleteMs: Math.round(mark('recommendation-complete')),
    };
  });
  await context.close();
  return figures;
}
