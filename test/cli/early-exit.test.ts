// Early-exit cascades through the real CLI: the Fashion-MNIST cascade model
// (models/early-exit/fashion_early_exit.onnx) compiled by `cnna compile --exit exit1`, then
// `cnna accuracy <bundle> --exit-threshold T` and `cnna simulate <bundle> --backend ref --exit-threshold T`
// on the first 50 test images. Per exit, the images that left there, their top-1 and their mean engine
// cycles equal what runSegments (sim/run-segments.ts, engine segments on sim/ref) gives image by image,
// summed here; at T = 0.8 the images that exit and the top-1 are those scripts/early-exit.ts prints, and
// the mean cycles are the script's modeled ones plus each engine start's own overhead (within 0.5 %).
// On the RTL (first 6 images) the same images exit with the same answers, bit-exact, cycles within 3 %.
// Refusals: a threshold outside [0, 1], a threshold for a bundle without exits or for a model.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { readBundle, writeBundle } from '../../compiler/backend/bundle-io.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { runBundle } from '../../sim/ref/run-bundle.ts';
import { runSegments } from '../../sim/run-segments.ts';
import { defaultModel } from './ort-reference.ts';
import { cnna, repoRoot } from './run-cli.ts';

const MODEL = join(repoRoot, 'models/early-exit/fashion_early_exit.onnx');
const N = 50;
const T = 0.8;

describe.skipIf(!fashionMnistAvailable())('early-exit cascade through the CLI (accuracy, simulate --exit-threshold)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-cli-early-exit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cascadeDir = join(dir, 'cascade');

  it(`per exit at T = ${T} on ${N} images: runSegments image by image, and scripts/early-exit.ts`, () => {
    const c = cnna(['compile', MODEL, '--exit', 'exit1', '-o', cascadeDir]);
    expect(c.code, c.stderr).toBe(0);

    // Expected, image by image: the engine model runs the engine segments, run-segments the exit decision.
    const bundle = readBundle(cascadeDir);
    const io = bundle.manifest.inputs[0];
    const set = loadFashionMnist('test', { limit: N });
    const rows = { exit1: { images: 0, correct: 0, cycles: 0 }, all: { images: 0, correct: 0, cycles: 0 } };
    const firstExits: (string | undefined)[] = [];
    const firstRight: boolean[] = [];
    for (let i = 0; i < N; i++) {
      const raw = { [io.name]: Int16Array.from(toBatch(set, i, 1).data, (v) => quant(v, io.f)) };
      const r = runSegments(bundle, raw, (view, x) => runBundle(view, {}, { rawInputs: x }), { exitThreshold: T });
      const out = Array.from(r.values.get(r.exit ? 'exit1' : 'logits')!);
      const row = r.exit === 'exit1' ? rows.exit1 : rows.all;
      expect(r.exit ?? 'none').toMatch(/^(exit1|none)$/);
      row.images++;
      row.cycles += r.cycles;
      if (out.indexOf(Math.max(...out)) === set.labels[i]) row.correct++;
      firstExits.push(r.exit);
      firstRight.push(out.indexOf(Math.max(...out)) === set.labels[i]);
    }
    const total = { images: N, correct: rows.exit1.correct + rows.all.correct, cycles: rows.exit1.cycles + rows.all.cycles };
    const expectRow = (got: Record<string, unknown>, want: { images: number; correct: number; cycles: number }) => {
      expect([got.images, got.correct, got.accuracy, got.meanCycles]).toEqual([want.images, want.correct, want.correct / want.images, want.cycles / want.images]);
      expect(got.meanLatencyMs as number).toBeCloseTo((want.cycles / want.images / 200e6) * 1e3, 12);
    };
    const expectCascade = (j: { threshold: number; exits: Record<string, unknown>[] } & Record<string, unknown>) => {
      expect(j.threshold).toBe(T);
      expect(j.exits.map((e) => [e.exit, e.answer])).toEqual([['exit1', 'exit1'], [null, 'logits']]);
      expectRow(j.exits[0], rows.exit1);
      expectRow(j.exits[1], rows.all);
      expectRow(j, total);
    };

    const acc = cnna(['accuracy', cascadeDir, '--dataset', 'fashion-mnist', '--limit', String(N), '--exit-threshold', String(T), '--json']);
    expect(acc.code, acc.stderr).toBe(0);
    const aj = JSON.parse(acc.stdout);
    expect([aj.n, aj.engine, aj.fixed.correct]).toEqual([N, 'ref', total.correct]);
    expectCascade(aj.cascade);

    const sim = cnna(['simulate', cascadeDir, '--model', MODEL, '--backend', 'ref', '--dataset', 'fashion-mnist', '--limit', String(N), '--exit-threshold', String(T), '--json']);
    expect(sim.code, sim.stderr).toBe(0);
    const sj = JSON.parse(sim.stdout);
    // bit-exact against the golden model on the outputs each image computed (both heads, or the exit's alone)
    expect([sj.bitExact, sj.mismatches.compared, sj.accuracy.correct]).toEqual([true, 10 * rows.exit1.images + 20 * rows.all.images, total.correct]);
    expectCascade(sj.cascade);

    // The RTL under Verilator on the first 6 images: the same exits and answers (bit-exact values decide
    // them), its own cycles (the performance model is within 3 % of the RTL).
    const rtl = cnna(['simulate', cascadeDir, '--model', MODEL, '--backend', 'rtl', '--dataset', 'fashion-mnist', '--limit', '6', '--exit-threshold', String(T), '--json']);
    expect(rtl.code, rtl.stderr).toBe(0);
    const rj = JSON.parse(rtl.stdout);
    const six = (exit: boolean) => firstExits.slice(0, 6).filter((e, i) => (e !== undefined) === exit && firstRight[i]).length;
    const sixImages = (exit: boolean) => firstExits.slice(0, 6).filter((e) => (e !== undefined) === exit).length;
    expect(rj.bitExact).toBe(true);
    expect(rj.cascade.exits.map((e: Record<string, unknown>) => [e.exit, e.images, e.correct])).toEqual([['exit1', sixImages(true), six(true)], [null, sixImages(false), six(false)]]);
    [rows.exit1, rows.all].forEach((r, k) => expect(Math.abs(rj.cascade.exits[k].meanCycles / (r.cycles / r.images) - 1)).toBeLessThan(0.03));

    // The human output: one line per exit, then every segment, then all images.
    const human = cnna(['accuracy', cascadeDir, '--dataset', 'fashion-mnist', '--limit', String(N), '--exit-threshold', String(T)]);
    expect(human.code, human.stderr).toBe(0);
    const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(2)}%`;
    const line = (label: string, r: typeof total, share: string) =>
      `    ${label.padEnd(32)} ${String(r.images).padStart(6)} images${share}  top-1 ${pct(r.correct, r.images)} (${r.correct}/${r.images})  mean ${(r.cycles / r.images).toFixed(1)} cycles = ${(r.cycles / r.images / 200e3).toFixed(4)} ms`;
    const share = (r: typeof total) => ` (${((100 * r.images) / N).toFixed(1).padStart(5)}%)`;
    expect(human.stdout).toContain([
      `  fixed top-1: ${pct(total.correct, N)} (${total.correct}/${N})`,
      `  early exits at T = ${T} (an image leaves at the first exit whose softmax maximum is at least T):`,
      line("left at exit 'exit1'", rows.exit1, share(rows.exit1)),
      line("ran every segment ('logits')", rows.all, share(rows.all)),
      line('all', total, ' '.repeat(9)),
    ].join('\n'));

    // scripts/early-exit.ts on the same images: the same images exit, the same top-1; its mean cycles
    // are the performance model's layers of each path, the run's add each engine start's overhead.
    const s = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/early-exit.ts'), '--limit', String(N), '--thresholds', String(T), '--json'], { cwd: repoRoot, encoding: 'utf8' });
    expect(s.status, s.stderr).toBe(0);
    const script = (JSON.parse(s.stdout).rows as { threshold: number; images: number; exited: number; correct: number; meanCycles: number }[]).find((r) => r.threshold === T)!;
    expect([script.images, script.exited, script.correct]).toEqual([N, rows.exit1.images, total.correct]);
    expect(aj.cascade.meanCycles).toBeGreaterThanOrEqual(script.meanCycles);
    expect((aj.cascade.meanCycles - script.meanCycles) / script.meanCycles).toBeLessThan(0.005);
  }, 120_000);

  it('refuses a threshold outside [0, 1], a threshold for a bundle without exits and one for a model', () => {
    const plain = join(dir, 'plain');
    writeBundle(compileBundle(quantize(optimize(importOnnx(defaultModel)), { report: false }), defaultConfig(), { name: 'fashion_cnn' }), plain);
    const badT = "cnna: error [E_USAGE]: --exit-threshold '1.5' is not a number in [0, 1]\n  hint: an image leaves at an early exit when the exit's softmax maximum is at least T: 0 always exits, 1 only when certain\n";
    const noExits = (cmd: string) => `cnna: error [E_USAGE]: ${cmd}: bundle 'fashion_cnn' has no early exits, so --exit-threshold has nothing to decide\n`
      + '  hint: compile the model with an exit on one of its graph outputs (logits): cnna compile model.onnx --exit OUTPUT -o DIR; or drop --exit-threshold\n';
    const cases: [string[], string][] = [
      [['accuracy', plain, '--dataset', 'fashion-mnist', '--exit-threshold', '1.5'], badT],
      [['simulate', plain, '--dataset', 'fashion-mnist', '--exit-threshold', '1.5'], badT],
      [['accuracy', plain, '--dataset', 'fashion-mnist', '--exit-threshold', '0.8'], noExits('accuracy')],
      [['simulate', plain, '--dataset', 'fashion-mnist', '--exit-threshold', '0.8'], noExits('simulate')],
      [['accuracy', MODEL, '--dataset', 'fashion-mnist', '--exit-threshold', '0.8'],
        `cnna: error [E_USAGE]: accuracy: --exit-threshold runs a bundle compiled with early exits, and ${MODEL} is not one\n`
        + '  hint: compile the model with its exit first (cnna compile model.onnx --exit OUTPUT -o DIR), then: cnna accuracy DIR --exit-threshold T\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = cnna(args);
      expect([r.code, r.stderr, r.stdout], args.join(' ')).toEqual([2, stderr, '']);
    }
  }, 60_000);
});
