// Benchmark of the quantizer and the fixed-point golden model on the generated VGG16
// (torchvision layout, 224×224×3, 138M parameters; `cnna zoo vgg16`). Prints:
//  - time and peak RSS to import + optimize + quantize it (target <= 10 s, <= 3 GB), each in a
//    fresh child process so that each peak is its own:
//      auto: the default quantization (power-of-two formats calibrated on one synthetic input,
//            i.e. one float VGG16 inference with every intermediate kept, on 2 threads);
//      Q2.14: the paper's fixed format (no calibration);
//    quantization here means the formats and the int16 weights (report: false): the per-layer
//    report, which runs the fixed-point model on the calibration data, is not included;
//  - wall time of one fixed-point golden inference on 2 threads (target <= 30 s).
// Usage: npm run bench:golden [-- --onnx FILE] [--threads N] [--skip-auto] [--skip-golden] [--check-formats]
// (--threads: calibration and golden threads, default 2; --check-formats: after the timed run,
// calibrate again on the plain TypeScript conv loop, 1 thread, and check that every format,
// float range and int16 weight is identical)
// The model is written once to $TMPDIR/cnna-bench/vgg16-seed1.onnx by a child `cnna zoo`
// process, so that its generation does not count toward any peak memory.
// Timings on a shared 2-core machine are pessimistic; the CPU seconds beside each wall time
// (every thread of the process) show how much of it was this process's own work.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { runFixedParallel } from '../compiler/golden/fixed/run-fixed-parallel.ts';
import type { Tensor } from '../compiler/ir/graph.ts';

const args = process.argv.slice(2);
const opt = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const threads = Number(opt('--threads') ?? 2);
const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
let file = opt('--onnx');
if (!file) {
  const dir = join(tmpdir(), 'cnna-bench');
  mkdirSync(dir, { recursive: true });
  file = join(dir, 'vgg16-seed1.onnx');
  if (!existsSync(file)) {
    console.log(`writing ${file} (cnna zoo vgg16 --seed 1) ...`);
    const r = spawnSync(process.execPath, [join(repo, 'bin/cnna.js'), 'zoo', 'vgg16', '-o', file, '--seed', '1'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`cnna zoo vgg16 failed with exit code ${r.status}`);
  }
}

const gib = () => process.resourceUsage().maxRSS / 2 ** 20;
let c0 = process.cpuUsage();
const mark = () => { c0 = process.cpuUsage(); return performance.now(); };
/** Wall seconds since t, and the CPU seconds this process (all its threads) used meanwhile. */
const sec = (t: number) => {
  const c = process.cpuUsage(c0);
  return `${((performance.now() - t) / 1000).toFixed(2)} s wall (${((c.user + c.system) / 1e6).toFixed(2)} s CPU)`;
};

/** Child mode: import + optimize + quantize in one format, then print one line. */
const mode = opt('--child');
if (mode) {
  const t0 = mark();
  const g = optimize(importOnnx(file));
  const tImport = sec(t0);
  const t1 = mark();
  const qm = mode === 'auto' ? quantize(g, { report: false, threads, onWarning: () => {} }) : quantize(g, { format: 14, report: false });
  const tQuant = sec(t1);
  const total = ((performance.now() - t0) / 1000).toFixed(2);
  const what = mode === 'auto' ? `auto formats (the default; calibration: ${qm.options.calibration}, ${threads} threads)` : 'Q2.14 (no calibration)';
  console.log(`import + quantize, ${what}: ${total} s wall, peak RSS ${gib().toFixed(2)} GiB (targets <= 10 s, <= 3 GB); import + optimize ${tImport}, quantize ${tQuant}`);
  if (mode === 'auto' && args.includes('--check-formats')) {
    // The reference path: the plain TypeScript conv loop on one thread.
    process.env.CNNA_FLOAT_KERNEL = 'js';
    const t2 = mark();
    const ref = quantize(g, { report: false, threads: 1, onWarning: () => {} });
    const key = (q: typeof qm) => JSON.stringify([[...q.formats], q.report.map((r) => [r.node, r.min, r.max]), [...q.weights].map(([k, w]) => [k, w.wf])]);
    const sameQ = [...qm.weights].every(([k, w]) => Buffer.compare(Buffer.from(w.q.buffer, w.q.byteOffset, w.q.byteLength), Buffer.from(ref.weights.get(k)!.q.buffer, ref.weights.get(k)!.q.byteOffset, ref.weights.get(k)!.q.byteLength)) === 0);
    const same = key(ref) === key(qm) && sameQ && ref.weights.size === qm.weights.size;
    console.log(`  check: auto formats, float ranges and int16 weights from the plain loop on 1 thread (${sec(t2)}) ${same ? 'are identical' : 'DIFFER'} (${qm.formats.size} values, ${qm.weights.size} weight tensors)`);
    process.exit(same ? 0 : 1);
  }
  process.exit(0);
}

for (const m of args.includes('--skip-auto') ? ['q14'] : ['auto', 'q14']) {
  const check = args.includes('--check-formats') ? ['--check-formats'] : [];
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', m, '--onnx', file, '--threads', String(threads), ...check], { stdio: 'inherit', cwd: repo });
  if (r.status !== 0) throw new Error(`the ${m} child exited with code ${r.status}`);
}
if (args.includes('--skip-golden')) process.exit(0);

let t = mark();
const g = optimize(importOnnx(file));
const q14 = quantize(g, { format: 14, report: false });

const x = g.inputs[0];
let s = 1;
const input: Tensor = { dims: [1, ...x.shape.slice(1)], data: Float32Array.from({ length: x.shape.slice(1).reduce((a, b) => a * b, 1) }, () => ((s = (s * 69069 + 1) >>> 0) / 2 ** 32) * 4 - 2) };
t = mark();
const r = await runFixedParallel(q14, { [x.name]: input }, { threads });
const out = r.raw[g.outputs[0].name] ?? Object.values(r.raw)[0];
console.log(`golden model (Q2.14), one VGG16 inference on ${threads} threads: ${sec(t)} (target <= 30 s); peak RSS ${gib().toFixed(2)} GiB; output ${g.outputs[0].name} [${out?.dims}]`);
