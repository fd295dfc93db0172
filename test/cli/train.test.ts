// The real `cnna train` command: exact errors, and a short run whose output `cnna accuracy` then
// quantizes with the formats it was trained in (same fixed-point accuracy as training reported).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fashionMnistAvailable } from '../../compiler/data/fashion-mnist.ts';
import { cnna } from './run-cli.ts';

const MODEL = 'models/default/fashion_cnn.onnx';
const dir = mkdtempSync(join(tmpdir(), 'cnna-train-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cnna train', () => {
  it.each([
    ['no output', ['train', MODEL, '--dataset', 'fashion-mnist'], "cnna: error [E_USAGE]: train: missing -o out.onnx (the trained model to write)\n"],
    ['bad lr', ['train', MODEL, '--dataset', 'fashion-mnist', '-o', join(dir, 'x.onnx'), '--lr', '2'], "cnna: error [E_USAGE]: --lr '2' is not a number in (0, 1)\n"],
    ['no data', ['train', MODEL, '-o', join(dir, 'x.onnx')], "cnna: error [E_USAGE]: train: no training images given\n  hint: pass --dataset fashion-mnist, or --images IDX --labels IDX\n"],
    ['bad epochs', ['train', MODEL, '--dataset', 'fashion-mnist', '-o', join(dir, 'x.onnx'), '--epochs', '0'], "cnna: error [E_USAGE]: --epochs '0' is not an integer >= 1\n"],
    ['bad forward', ['train', MODEL, '--dataset', 'fashion-mnist', '-o', join(dir, 'x.onnx'), '--forward', 'exact'], "cnna: error [E_USAGE]: --forward 'exact' is not fake or golden\n  hint: fake: the fixed-point arithmetic emulated in float32 (fast); golden: the golden model's exact values (bit for bit, slower)\n"],
  ])('%s', (_name, args, stderr) => {
    const r = cnna(args as string[]);
    expect(r.stderr).toBe(stderr);
    expect(r.code).toBe(2);
  });

  it.skipIf(!fashionMnistAvailable())('trains, writes ONNX with its formats and a report; accuracy uses the trained formats', () => {
    const out = join(dir, 'trained.onnx');
    const report = join(dir, 'report.html');
    const r = cnna(['train', MODEL, '--dataset', 'fashion-mnist', '-o', out, '--format', 'Q2.14', '--weights-format', 'Q2.14', '--limit', '128', '--batch', '32', '--val', '200', '--report', report, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.history).toHaveLength(1);
    expect(j.formats.every((f: { format: string }) => f.format === 'Q2.14')).toBe(true);
    const html = readFileSync(report, 'utf8');
    expect(html.match(/class="mark"/g)?.length).toBe(1 + 2 * 2);
    const a = cnna(['accuracy', out, '--dataset', 'fashion-mnist', '--limit', '200', '--json']);
    expect(a.code).toBe(0);
    const acc = JSON.parse(a.stdout);
    expect(acc.fixed.top1).toBe(j.history[0].valFixedTop1);
    expect(acc.float.top1).toBe(j.history[0].valFloatTop1);
  }, 600_000);
});
