// The early-exit cascade (models/early-exit/fashion_early_exit.onnx, a real PyTorch model trained
// by scripts/train-early-exit.py) on the first 40 Fashion-MNIST test images: which images exit,
// the accuracy and the mean modeled latency at three thresholds, as recorded numbers; the exit
// path's cycles equal the engine model's per-layer cycles of the layers the exit needs; compiled with
// the exit (compileBundle's `exits`), the engine model and the host stop at the exit when it is
// confident enough, with the same answers and the same mean cycles.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { runBundle } from '../ref/run-bundle.ts';
import { cascadeImages, cascadePaths, evaluateCascade, exitConfidence } from './early-exit.ts';
import { runSegments } from '../run-segments.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';

const MODEL = new URL('../../models/early-exit/fashion_early_exit.onnx', import.meta.url).pathname;
const N = 40;

describe.skipIf(!fashionMnistAvailable())('early-exit cascade on Fashion-MNIST', () => {
  it(`accuracy and mean modeled latency at thresholds 0.5, 0.8, 0.95 (${N} test images)`, () => {
    const qm = quantize(optimize(importOnnx(MODEL)), { report: false });
    const config = defaultConfig();
    const bundle = compileBundle(qm, config, { name: 'fashion_early_exit' });
    const paths = cascadePaths(qm, bundle, config, 'exit1');
    expect(paths.exitLayers).toEqual(['/b1/Conv', '/MaxPool_1', '/exit1/Gemm']);
    const set = loadFashionMnist('test', { limit: N });
    const ref = runBundle(bundle, { image: toBatch(set, 0, 1) });
    const sum = (names: string[]) => ref.perLayer.filter((l) => names.includes(l.name)).reduce((a, l) => a + l.cycles, 0);
    expect([paths.exitCycles, paths.fullCycles]).toEqual([sum(paths.exitLayers), ref.cycles]);
    expect([paths.exitCycles, paths.fullCycles]).toEqual([EXIT_CYCLES, FULL_CYCLES]);

    const images = cascadeImages(qm, set, 0, N, 'exit1', 'logits');
    expect(exitConfidence(Int16Array.from([0, 0]), 14)).toBe(0.5);
    const rows = evaluateCascade(images, [0, 0.5, 0.8, 0.95, 2], paths);
    expect(rows.map((r) => [r.threshold, r.exited, r.correct, r.meanCycles])).toEqual(ROWS);
    // T = 0: every image exits; T > 1: none does
    expect([rows[0].exited, rows[0].meanCycles, rows[4].exited, rows[4].meanCycles]).toEqual([N, paths.exitCycles, 0, paths.fullCycles]);

    // The same cascade run for real: compiled with the exit (its layers first, then an exit host op),
    // the engine model runs the exit segment, the host stops when the exit is confident enough.
    const cascade = compileBundle(qm, config, { name: 'fashion_early_exit', exits: ['exit1'] });
    expect(cascade.manifest.segments!.map((s) => (s.kind === 'host' ? s.ops.map((o) => o.op).join('+') : `engine ${s.count}`))).toEqual(['engine 3', 'exit', 'engine 8']);
    const input = cascade.manifest.inputs[0];
    const RUN_CYCLES: number[] = [];
    [0.5, 0.8, 0.95].forEach((t, k) => {
      let exited = 0;
      let correct = 0;
      let cycles = 0;
      images.forEach((im, i) => {
        const raw = { [input.name]: Int16Array.from(toBatch(set, i, 1).data, (v) => quant(v, input.f)) };
        const r = runSegments(cascade, raw, (view, x) => runBundle(view, {}, { rawInputs: x }), { exitThreshold: t });
        const out = r.exit ? r.values.get('exit1')! : r.values.get('logits')!;
        expect(Array.from(out)).toEqual(Array.from(r.exit ? im.exit : im.final));
        if (r.exit) exited++;
        if (out.indexOf(Math.max(...out)) === im.label) correct++;
        cycles += r.cycles;
      });
      expect([exited, correct]).toEqual([ROWS[k + 1][1], ROWS[k + 1][2]]);
      RUN_CYCLES.push(cycles / N);
    });
    // the run's mean engine cycles are the modeled cascade's (the exit segment is exactly the exit's layers)
    // plus each engine start's own overhead (HEADER fetch, the last writes answered): at most 0.5 % here
    rows.slice(1, 4).forEach((r, k) => {
      expect(RUN_CYCLES[k]).toBeGreaterThanOrEqual(r.meanCycles);
      expect((RUN_CYCLES[k] - r.meanCycles) / r.meanCycles).toBeLessThan(0.005);
    });
  }, 240_000);
});

const EXIT_CYCLES = 13090;
const FULL_CYCLES = 20241;
// [threshold, images that exit, correct answers, mean cycles]; e.g. T = 0.5: (36·13090 + 4·20241) / 40 = 13805.1
const ROWS: number[][] = [
  [0, 40, 33, 13090],
  [0.5, 36, 31, 13805.1],
  [0.8, 21, 33, 16486.725],
  [0.95, 13, 33, 17916.925],
  [2, 0, 33, 20241],
];

