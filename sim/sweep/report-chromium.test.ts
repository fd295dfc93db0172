// report.html renders in headless Chromium without console errors; each plot holds one mark per
// evaluated config (fitting and not fitting told apart), the table one row per config and sorts.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { boardByName, boardDefaultConfig } from '../../boards/index.ts';
import { SweepEvaluator } from './evaluate.ts';
import { loadSweepModels } from './sweep-worker.ts';
import { expandSpace, parseSpace } from './space.ts';
import { finishSweep } from './sweep-output.ts';
import { renderReport } from './report-html.ts';
import { launchChromium } from './headless-chromium.ts';

describe('report.html in headless Chromium', () => {
  it('no console errors, one mark per config in each plot, a sortable table', async () => {
    const defaults = boardDefaultConfig('ultra96');
    const space = parseSpace({ 'array.pi': [8, 16, 32], 'array.po': [8, 16, 32, 64], clockMhz: [150, 200], where: ['array.po >= array.pi'] }, defaults, 'test space');
    const ev = new SweepEvaluator(boardByName('ultra96'), loadSweepModels([{ name: 'fashion_cnn', path: 'models/default/fashion_cnn.onnx' }]));
    const entries = expandSpace(space, defaults).configs.map((c, i) => ev.evaluate(c, i));
    const s = finishSweep({ board: 'ultra96', objective: 'latency', models: [{ name: 'fashion_cnn', sha256: '-' }], space: { source: 'test space', hash: space.hash, configs: entries.length, excluded: 0, axes: [] }, shard: null, entries });
    const evaluated = entries.filter((e) => e.latencyMs !== undefined);
    const fitting = evaluated.filter((e) => e.fit!.ok).length;
    expect(entries.length).toBe(18);
    expect(fitting).toBeGreaterThan(0);
    expect(fitting).toBeLessThan(evaluated.length);
    const file = join(mkdtempSync(join(tmpdir(), 'cnna-report-')), 'report.html');
    writeFileSync(file, renderReport(s));
    const { browser, close } = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => { if (!r.url().startsWith('file:')) errors.push(`network request ${r.url()}`); });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const counts = await page.evaluate(() => ['plot-dsp', 'plot-bram', 'plot-lut'].map((id) => [
        document.querySelectorAll(`#${id} .mark`).length, document.querySelectorAll(`#${id} .mark.fit`).length,
        document.querySelectorAll(`#${id} .mark.nofit`).length, document.querySelectorAll(`#${id} .mark.pareto`).length,
      ]));
      const pareto = entries.filter((e) => e.pareto).length;
      expect(counts).toEqual([0, 1, 2].map(() => [evaluated.length, fitting, evaluated.length - fitting, pareto]));
      expect(await page.evaluate(() => document.querySelectorAll('#roofline .layer').length)).toBe(4);
      expect(await page.evaluate(() => document.querySelectorAll('#configs tbody tr').length)).toBe(18);
      const col = await page.evaluate(() => [...document.querySelectorAll('#configs th')].findIndex((th) => th.textContent === 'latency ms'));
      await page.click(`#configs th[data-col="${col}"]`);
      const first = await page.evaluate((c) => document.querySelector('#configs tbody tr')!.children[c].textContent, col);
      expect(Number(first)).toBe(Math.min(...evaluated.map((e) => Number(e.latencyMs!.toFixed(3)))));
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
