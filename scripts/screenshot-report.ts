// Screenshot of a sweep report in headless Chromium:
//   node --import tsx scripts/screenshot-report.ts build/sweep/report.html report.png
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../sim/sweep/headless-chromium.ts';

const [html, png = 'report.png'] = process.argv.slice(2);
if (!html) { console.error('usage: node --import tsx scripts/screenshot-report.ts REPORT.html [OUT.png]'); process.exit(2); }
const { browser, close } = await launchChromium();
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: 'load' });
  await page.screenshot({ path: png, fullPage: true });
  console.log(`wrote ${png}`);
} finally {
  await close();
}
