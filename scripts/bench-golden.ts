// Benchmark of the quantizer and the fixed-point golden model on the generated VGG16
// (torchvision layout, 224×224×3, 138M parameters; `cnna zoo vgg16`). Prints:
//  - time and peak RSS to import + optimize + quantize it (target <= 10 s, <= 3 GB), for the
//    paper's fixed Q2.14 (no calibration needed) and for auto formats calibrated on one synthetic
//    input (dominated by one float inference);
//  - wall time of one fixed-point golden inference on 2 threads (target <= 30 s).
// Usage: npm run bench:golden [-- --onnx FILE] [--threads N] [--skip-auto]
// The model is written once to $TMPDIR/cnna-bench/vgg16-seed1.onnx by a child `cnna zoo`
// process, so that its generation does not count toward this process's peak memory.
// Timings on a shared 2-core machine are pessimistic; the CPU seconds beside each wall time
// show how much of it was this process's own work.
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

let t = mark();
const g = optimize(importOnnx(file));
console.log(`import + optimize: ${sec(t)}, ${g.nodes.length} nodes, peak RSS ${gib().toFixed(2)} GiB`);

t = mark();
const q14 = quantize(g, { format: 14, report: false });
console.log(`quantize Q2.14 (no calibration): ${sec(t)}, peak RSS ${gib().toFixed(2)} GiB (targets: import + quantize <= 10 s, <= 3 GB)`);

if (!args.includes('--skip-auto')) {
  t = mark();
  const qa = quantize(g, { calibrationImages: 1, report: false, onWarning: () => {} });
  console.log(`quantize auto (1 synthetic calibration input, one float inference): ${sec(t)}, peak RSS ${gib().toFixed(2)} GiB; ${qa.options.calibration}`);
}

const x = g.inputs[0];
let s = 1;
const input: Tensor = { dims: [1, ...x.shape.slice(1)], data: Float32Array.from({ length: x.shape.slice(1).reduce((a, b) => a * b, 1) }, () => ((s = (s * 69069 + 1) >>> 0) / 2 ** 32) * 4 - 2) };
t = mark();
const r = await runFixedParallel(q14, { [x.name]: input }, { threads });
const out = r.raw[g.outputs[0].name] ?? Object.values(r.raw)[0];
console.log(`golden model, one VGG16 inference on ${threads} threads: ${sec(t)} (target <= 30 s); peak RSS ${gib().toFixed(2)} GiB; output ${g.outputs[0].name} [${out?.dims}]`);
