// Benchmark of `cnna train`'s step (quantize + golden fixed-point forward + tfjs float backward +
// Adam) on a shared Fashion-MNIST model: images/s from CPU time (process.cpuUsage, user + system,
// all threads) and from wall time, and the time split per phase, since the machine is shared.
//   node --import tsx scripts/bench-train.ts [--model fashion_vgg] [--steps 8] [--batch 64] [--im2col] [--threads 2]
// --threads runs the golden forward pass on that many threads (GoldenThreads). --im2col trains convolutions with the slice-based im2col + matMul path instead of tf.conv2d.
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
import { useIm2colConvs } from '../models/train/tf-forward.ts';


const { values } = parseArgs({ options: { model: { type: 'string', default: 'fashion_vgg' }, steps: { type: 'string', default: '8' }, batch: { type: 'string', default: '64' }, im2col: { type: 'boolean', default: false }, threads: { type: 'string', default: '1' } } });
const path = values.model!.endsWith('.onnx') ? values.model! : new URL(`../../shared/models/${values.model}.onnx`, import.meta.url).pathname;
const steps = Number(values.steps), batch = Number(values.batch), threads = Number(values.threads);
await tf.setBackend('wasm');
await tf.ready();
useIm2colConvs(values.im2col!);

const g = optimize(importOnnx(path));
const opts = { format: 14, weightFormat: 14, perChannel: false, lr: 1e-4 } as const;
const m = new QatModel(g, initialFormats(g, opts), opts);
const set = loadFashionMnist('train');
const labels = Array.from(set.labels);
// One warm-up step (XNNPACK operator creation, JIT).
m.useThreads(threads);
await m.step(toBatch(set, 0, batch), labels.slice(0, batch));
const load0 = loadavg()[0];
const c0 = process.cpuUsage(), t0 = performance.now();
for (let s = 1; s <= steps; s++) await m.step(toBatch(set, s * batch, batch), labels.slice(s * batch, (s + 1) * batch));
const c = process.cpuUsage(c0), wall = (performance.now() - t0) / 1000;
const cpu = (c.user + c.system) / 1e6;
const images = steps * batch;
const phases = Object.entries(m.timing).map(([k, v]) => `${k} ${(v / steps).toFixed(3)}`).join(', ');
console.log(`${values.model}, ${values.im2col ? 'im2col' : 'tf.conv2d'} convs, golden on ${threads} thread(s), ${steps} steps of ${batch}: ${(images / cpu).toFixed(1)} images/s CPU (${cpu.toFixed(1)} s), ${(images / wall).toFixed(1)} images/s wall (${wall.toFixed(1)} s); load average ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
console.log(`  per step, CPU s (all threads): ${phases}`);
console.log(`  an epoch of 60,000 images: ${(60000 / (images / cpu) / 60).toFixed(1)} min CPU`);
await m.close();
m.dispose();
