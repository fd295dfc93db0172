// Benchmark of `cnna train`'s step on a shared Fashion-MNIST model (default fashion_vgg, uniform
// Q2.14): images/s from wall time and from CPU time (process.cpuUsage: user + system of every
// thread of the process), since the machine is shared and wall time depends on its load, and the
// CPU time per phase.
//   node --import tsx scripts/bench-train.ts [--model fashion_vgg] [--steps 8] [--batch 64] [--threads 2]
//        [--forward fake|golden] [--shards 2] [--im2col] [--dw conv|matmul]
// --forward fake (default): the fake-quantized float32 pass (models/train/fake-quant.ts), the batch
//   split into --shards shards spread over --threads threads (this one + worker threads);
// --forward golden: the golden model's exact values injected (its convs on --threads threads).
// --im2col trains convolutions with the slice-based im2col + matMul path instead of tf.conv2d;
// --dw picks how tf.conv2d's weight gradient is computed.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadFashionMnist } from '../compiler/data/fashion-mnist.ts';
import { toBatch } from '../compiler/data/preprocess.ts';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { QatModel } from '../models/train/qat.ts';
import { initialFormats } from '../models/train/train-loop.ts';
import { useIm2colConvs, useWeightGradMode } from '../models/train/tf-forward.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'fashion_vgg' }, steps: { type: 'string', default: '8' }, batch: { type: 'string', default: '64' },
    im2col: { type: 'boolean', default: false }, threads: { type: 'string', default: '2' }, forward: { type: 'string', default: 'fake' },
    shards: { type: 'string', default: '2' }, dw: { type: 'string', default: 'conv' },
  },
});
const path = values.model!.endsWith('.onnx') ? values.model! : new URL(`../../shared/models/${values.model}.onnx`, import.meta.url).pathname;
const steps = Number(values.steps), batch = Number(values.batch), threads = Number(values.threads), shards = Number(values.shards);
const fwd = values.forward === 'golden' ? 'golden' : 'fake';
await tf.setBackend('wasm');
await tf.ready();
useIm2colConvs(values.im2col!);
useWeightGradMode(values.dw === 'matmul' ? 'matmul' : 'conv');

const g = optimize(importOnnx(path));
const opts = { format: 14, weightFormat: 14, perChannel: false, lr: 1e-4, forward: fwd, shards } as const;
const m = new QatModel(g, initialFormats(g, opts), opts);
const set = loadFashionMnist('train');
const labels = Array.from(set.labels);
await m.useThreads(threads);
// One warm-up step (XNNPACK operator creation, JIT).
await m.step(toBatch(set, 0, batch), labels.slice(0, batch));
for (const k of Object.keys(m.timing) as (keyof typeof m.timing)[]) m.timing[k] = 0;
const load0 = loadavg()[0];
const c0 = process.cpuUsage(), t0 = performance.now();
for (let s = 1; s <= steps; s++) await m.step(toBatch(set, s * batch, batch), labels.slice(s * batch, (s + 1) * batch));
const c = process.cpuUsage(c0), wall = (performance.now() - t0) / 1000;
const cpu = (c.user + c.system) / 1e6;
const images = steps * batch;
const phases = Object.entries(m.timing).map(([k, v]) => `${k} ${(v / steps).toFixed(3)}`).join(', ');
const how = fwd === 'fake' ? `fake-quant forward, ${shards} shards on ${threads} thread(s)` : `golden forward on ${threads} thread(s)`;
console.log(`${values.model}, ${how}, ${values.im2col ? 'im2col' : `tf.conv2d (dW by ${values.dw})`} convs, ${steps} steps of ${batch}: ${(images / wall).toFixed(1)} images/s wall (${wall.toFixed(1)} s), ${(images / cpu).toFixed(1)} images/s per CPU-second (${cpu.toFixed(1)} CPU-s); load average ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
console.log(`  per step, this thread's CPU s: ${phases} (wait: waiting for the worker threads)`);
console.log(`  an epoch of 60,000 images: ${(60000 / (images / wall) / 60).toFixed(1)} min wall at this load, ${(60000 / (images / cpu)).toFixed(0)} CPU-s (${(60000 / (images / cpu) / 60 / threads).toFixed(1)} min on ${threads} free core(s))`);
await m.close();
m.dispose();
