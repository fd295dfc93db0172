// Headless Chromium (Debian `chromium`) driven by puppeteer-core, for rendering sweep reports in
// tests and screenshots; no browser download, no network, a fresh profile per launch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';

export const CHROMIUM = process.env.CNNA_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'cnna-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`],
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw new CnnaError('E_SIM', `cannot start ${CHROMIUM}: ${(e as Error).message}`, { hint: 'run `npm run setup` (Debian package chromium) or set CNNA_CHROMIUM' });
  }
  return { browser, close: async () => { await browser.close(); rmSync(profile, { recursive: true, force: true }); } };
}
