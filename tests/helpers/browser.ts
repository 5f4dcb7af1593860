import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildConsole, consoleStale } from '../../src/console/build.js';
import { DEFAULT_DEMO_PASSWORD } from '../../seeds/demo.js';

/** Where the browser tests write their screenshots (named in the README). */
export const SCREENSHOTS = path.resolve(new URL('../..', import.meta.url).pathname, 'screenshots');

/** Debian's chromium (or CHROMIUM_PATH); null when there is none. */
export function chromiumPath(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && fs.existsSync(p)) return p;
  }
  return null;
}

/** In CI the browser tests must run: a missing browser is a failure there, a skip elsewhere. */
export function browserAvailable(): boolean {
  const found = chromiumPath() !== null;
  if (!found && process.env.CI === 'true') throw new Error('CI=true but no chromium: .ci/run installs it (apt-get install -y chromium)');
  return found;
}

export async function ensureConsoleBuilt(): Promise<void> {
  if (consoleStale()) await buildConsole();
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath()!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/**
 * A browser context whose network is the server and nothing else: every request to another origin is
 * aborted and recorded in `blocked` (a test asserts it stays empty: the console needs no internet).
 */
export async function offlineContext(browser: Browser, origin: string): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 }, locale: 'zh-CN' });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + '/') || url === origin || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    blocked.push(url);
    return route.abort('internetdisconnected');
  });
  return { context, blocked };
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, name);
}

/** A fresh offline context signed in to the console as a demo login, through its sign-in form. */
export async function signInToConsole(browser: Browser, origin: string, login: string): Promise<{ page: Page; context: BrowserContext; blocked: string[] }> {
  const { context, blocked } = await offlineContext(browser, origin);
  const page = await context.newPage();
  await page.goto(origin + '/');
  await page.getByTestId('login').fill(login);
  await page.getByTestId('password').fill(DEFAULT_DEMO_PASSWORD);
  await page.getByTestId('signin-button').click();
  await page.getByTestId('viewer').waitFor();
  return { page, context, blocked };
}
