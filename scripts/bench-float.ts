// Benchmark of the ONNX import and the float executor: import, optimize and run one batch, and
// print times, MACs and MAC rate. Usage: node --import tsx scripts/bench-float.ts MODEL [--batch N] [--runs R]
// Timings on a shared 2-core machine are pessimistic.

import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { runFloat } from '../compiler/golden/float/run-float.ts';
import { FloatThreads } from '../compiler/golden/float/run-float-parallel.ts';
import { inferNodeShapes, numel } from '../compiler/ir/infer-shape.ts';
import type { Graph } from '../compiler/ir/graph.ts';

function macs(g: Graph): number {
  let m = 0;
  for (const n of g.nodes) {
    if (n.op === 'conv') {
      const ins = n.inputs.map((x) => (x ? g.shapes.get(x) : undefined));
      const convOut = inferNodeShapes({ ...n, pool: undefined }, ins)[0];
      const w = ins[1]!;
      m += numel(convOut) * w[1] * w[2] * w[3];
    } else if (n.op === 'gemm' || n.op === 'matmul') {
      const b = g.shapes.get(n.inputs[1])!;
      m += numel(g.shapes.get(n.outputs[0])!) * (n.op === 'gemm' && n.transB ? b[1] : b[0]);
    }
  }
  return m;
}

const args = process.argv.slice(2);
const model = args[0];
if (!model) {
  console.error('usage: scripts/bench-float.ts MODEL [--batch N] [--runs R] [--threads T]');
  process.exit(2);
}
const batch = Number(args[args.indexOf('--batch') + 1] ?? 1) || 1;
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 1);
let t = performance.now();
const g = importOnnx(model, { batch });
const tImport = performance.now() - t;
t = performance.now();
const o = optimize(g);
const tOpt = performance.now() - t;
console.log(`import ${tImport.toFixed(0)} ms, optimize ${tOpt.toFixed(0)} ms, ${g.nodes.length} -> ${o.nodes.length} nodes, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
const x = o.inputs[0];
const feeds = { [x.name]: { dims: x.shape, data: Float32Array.from({ length: numel(x.shape) }, (_, i) => Math.sin(i) * 0.5 + 0.5) } };
const approx = macs(o);
const threads = Number(args.includes('--threads') ? args[args.indexOf('--threads') + 1] : 1);
// Batches split over FloatThreads; one image runs its big convs on conv helper threads.
const pool = threads > 1 && batch > 1 ? new FloatThreads(threads) : undefined;
for (let r = 0; r < runs; r++) {
  t = performance.now();
  const c0 = process.cpuUsage();
  if (pool) await pool.run(o, feeds); else runFloat(o, feeds, { threads });
  const ms = performance.now() - t;
  const c = process.cpuUsage(c0);
  console.log(`runFloat batch ${batch}, ${threads} thread(s): ${ms.toFixed(0)} ms wall (${((c.user + c.system) / 1e6).toFixed(2)} s CPU), ${(approx / 1e6).toFixed(1)} M MACs, ${(approx / ms / 1e6).toFixed(2)} GMAC/s`);
}
await pool?.close();
