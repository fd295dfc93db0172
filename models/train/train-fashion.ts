// Trains the project's default model, a small CNN for Fashion-MNIST, with @tensorflow/tfjs
// on its wasm backend, and exports it as ONNX (opset 13) with models/onnx-writer.ts.
//
//   node --import tsx models/train/train-fashion.ts [--epochs 6] [--seed 1] [--limit N] [--out DIR]
//
// The wasm backend has no Conv2DBackpropFilter, so each 3×3 convolution is written as
// im2col (pad + 9 slices + concat, all differentiable on wasm) followed by a matMul.
// Training runs in NHWC; the exporter permutes weights into ONNX's NCHW layout.
// Architecture (exported names in brackets):
//   image[N,1,28,28] → Conv 1→8 3×3 pad 1 → Relu → MaxPool 2 → Conv 8→16 3×3 pad 1 → Relu
//   → MaxPool 2 → Flatten (784) → Gemm 784→64 → Relu → Gemm 64→10 → logits[N,10]
// Invariant: preprocessing is pixel / 255 (no mean, no std), as for ../shared/models.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { OnnxBuilder, int, ints } from '../onnx-writer.ts';
import { loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { mulberry32 } from '../../compiler/util/prng.ts';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '6' },
    seed: { type: 'string', default: '1' },
    limit: { type: 'string' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.002' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../default') },
  },
});
const EPOCHS = Number(values.epochs);
const SEED = Number(values.seed);
const BATCH = Number(values.batch);
const LR = Number(values.lr);
const OUT = values.out!;

await tf.setBackend('wasm');
await tf.ready();


/** 3×3, stride 1, pad 1 patches of an NHWC tensor: [N, H, W, 9·C], index (dy·3+dx)·C + c. */
function im2col3x3(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const p = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  const cols: tf.Tensor4D[] = [];
  for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) cols.push(tf.slice(p, [0, dy, dx, 0], [n, h, w, c]));
  return tf.concat(cols, 3);
}

function heNormal(shape: number[], fanIn: number, seed: number): tf.Variable {
  return tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed));
}

const params = {
  w1: heNormal([9, 8], 9, SEED * 10 + 1), b1: tf.variable(tf.zeros([8])),
  w2: heNormal([72, 16], 72, SEED * 10 + 2), b2: tf.variable(tf.zeros([16])),
  w3: heNormal([784, 64], 784, SEED * 10 + 3), b3: tf.variable(tf.zeros([64])),
  w4: heNormal([64, 10], 64, SEED * 10 + 4), b4: tf.variable(tf.zeros([10])),
};

function convBlock(x: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor, cout: number): tf.Tensor4D {
  const [n, h, wd] = x.shape;
  const cols = im2col3x3(x);
  const y = tf.relu(tf.add(tf.matMul(tf.reshape(cols, [n * h * wd, cols.shape[3]]), w), b));
  return tf.maxPool(tf.reshape(y, [n, h, wd, cout]), 2, 2, 'valid');
}

function forward(x: tf.Tensor4D): tf.Tensor2D {
  const a1 = convBlock(x, params.w1, params.b1, 8);
  const a2 = convBlock(a1, params.w2, params.b2, 16);
  const flat = tf.reshape(a2, [x.shape[0], 784]);
  const h = tf.relu(tf.add(tf.matMul(flat, params.w3), params.b3));
  return tf.add(tf.matMul(h, params.w4), params.b4) as tf.Tensor2D;
}

function toInput(images: Uint8Array, idx: ArrayLike<number>): tf.Tensor4D {
  const buf = new Float32Array(idx.length * 784);
  for (let i = 0; i < idx.length; i++) {
    const off = idx[i] * 784;
    for (let k = 0; k < 784; k++) buf[i * 784 + k] = images[off + k] / 255;
  }
  return tf.tensor4d(buf, [idx.length, 28, 28, 1]);
}

async function evaluate(images: Uint8Array, labels: Uint8Array, n: number): Promise<number> {
  let correct = 0;
  for (let s = 0; s < n; s += 500) {
    const idx = Array.from({ length: Math.min(500, n - s) }, (_, i) => s + i);
    const pred = tf.tidy(() => tf.argMax(forward(toInput(images, idx)), 1));
    const p = await pred.data();
    pred.dispose();
    for (let i = 0; i < idx.length; i++) if (p[i] === labels[idx[i]]) correct++;
  }
  return correct / n;
}

/** ONNX weights in NCHW from the NHWC training layout. */
function exportOnnx(): OnnxBuilder {
  const w1 = params.w1.dataSync(), w2 = params.w2.dataSync(), w3 = params.w3.dataSync(), w4 = params.w4.dataSync();
  const convW = (w: Float32Array | Int32Array | Uint8Array, cin: number, cout: number): Float32Array => {
    const out = new Float32Array(cout * cin * 9);
    for (let m = 0; m < cout; m++) for (let c = 0; c < cin; c++) for (let k = 0; k < 9; k++) {
      out[(m * cin + c) * 9 + k] = w[(k * cin + c) * cout + m];
    }
    return out;
  };
  // Gemm B is [64, 784] (transB = 1) over the NCHW flatten index c·49 + h·7 + w.
  const fc1 = new Float32Array(64 * 784);
  for (let j = 0; j < 64; j++) for (let c = 0; c < 16; c++) for (let p = 0; p < 49; p++) {
    fc1[j * 784 + c * 49 + p] = w3[(p * 16 + c) * 64 + j];
  }
  const fc2 = new Float32Array(10 * 64);
  for (let j = 0; j < 10; j++) for (let i = 0; i < 64; i++) fc2[j * 64 + i] = w4[i * 10 + j];
  const f32 = (t: tf.Variable) => Float32Array.from(t.dataSync());
  const b = new OnnxBuilder('fashion_cnn', 'cnna models/train/train-fashion.ts');
  b.input('image', ['batch', 1, 28, 28]).output('logits', ['batch', 10]);
  b.initializer('conv1.weight', [8, 1, 3, 3], convW(w1, 1, 8)).initializer('conv1.bias', [8], f32(params.b1));
  b.initializer('conv2.weight', [16, 8, 3, 3], convW(w2, 8, 16)).initializer('conv2.bias', [16], f32(params.b2));
  b.initializer('fc1.weight', [64, 784], fc1).initializer('fc1.bias', [64], f32(params.b3));
  b.initializer('fc2.weight', [10, 64], fc2).initializer('fc2.bias', [10], f32(params.b4));
  const conv = { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([1, 1]) };
  const pool = { kernel_shape: ints([2, 2]), strides: ints([2, 2]) };
  b.node('Conv', ['image', 'conv1.weight', 'conv1.bias'], ['conv1'], conv, 'conv1');
  b.node('Relu', ['conv1'], ['relu1'], {}, 'relu1');
  b.node('MaxPool', ['relu1'], ['pool1'], pool, 'pool1');
  b.node('Conv', ['pool1', 'conv2.weight', 'conv2.bias'], ['conv2'], conv, 'conv2');
  b.node('Relu', ['conv2'], ['relu2'], {}, 'relu2');
  b.node('MaxPool', ['relu2'], ['pool2'], pool, 'pool2');
  b.node('Flatten', ['pool2'], ['flat'], { axis: int(1) }, 'flatten');
  b.node('Gemm', ['flat', 'fc1.weight', 'fc1.bias'], ['fc1'], { transB: int(1) }, 'fc1');
  b.node('Relu', ['fc1'], ['relu3'], {}, 'relu3');
  b.node('Gemm', ['relu3', 'fc2.weight', 'fc2.bias'], ['logits'], { transB: int(1) }, 'fc2');
  return b;
}

/** Float top-1 of the exported file, measured independently with onnxruntime-node. */
async function ortAccuracy(bytes: Uint8Array, images: Uint8Array, labels: Uint8Array, n: number): Promise<number> {
  const session = await ort.InferenceSession.create(bytes);
  let correct = 0;
  for (let s = 0; s < n; s += 1000) {
    const m = Math.min(1000, n - s);
    const x = new Float32Array(m * 784);
    for (let k = 0; k < m * 784; k++) x[k] = images[s * 784 + k] / 255;
    const out = await session.run({ image: new ort.Tensor('float32', x, [m, 1, 28, 28]) });
    const logits = out.logits.data as Float32Array;
    for (let i = 0; i < m; i++) {
      let best = 0;
      for (let j = 1; j < 10; j++) if (logits[i * 10 + j] > logits[i * 10 + best]) best = j;
      if (best === labels[s + i]) correct++;
    }
  }
  return correct / n;
}

async function main(): Promise<void> {
  const train = loadFashionMnist('train');
  const test = loadFashionMnist('test');
  const nTrain = values.limit ? Math.min(Number(values.limit), train.count) : train.count;
  const rand = mulberry32(SEED);
  const optimizer = tf.train.adam(LR);
  console.log(`training on ${nTrain} images, ${EPOCHS} epochs, batch ${BATCH}, seed ${SEED}, backend ${tf.getBackend()}`);
  const t0 = Date.now();
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    if (epoch === EPOCHS && EPOCHS > 2) (optimizer as unknown as { learningRate: number }).learningRate = LR / 4;
    const order = Array.from({ length: nTrain }, (_, i) => i);
    for (let i = nTrain - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    let batches = 0;
    for (let s = 0; s + BATCH <= nTrain; s += BATCH) {
      const idx = order.slice(s, s + BATCH);
      const onehot = new Float32Array(BATCH * 10);
      idx.forEach((k, i) => { onehot[i * 10 + train.labels[k]] = 1; });
      const loss = tf.tidy(() => {
        const x = toInput(train.images, idx);
        const y = tf.tensor2d(onehot, [BATCH, 10]);
        return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as tf.Scalar, true)!;
      });
      if (batches % 50 === 0) lossSum += (await loss.data())[0];
      loss.dispose();
      batches++;
    }
    const acc = await evaluate(test.images, test.labels, test.count);
    console.log(`epoch ${epoch}: mean sampled loss ${(lossSum / Math.ceil(batches / 50)).toFixed(4)}, test top-1 ${acc.toFixed(4)}, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  const builder = exportOnnx();
  const bytes = builder.toBytes();
  const ortAcc = await ortAccuracy(bytes, test.images, test.labels, test.count);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(resolve(OUT, 'fashion_cnn.onnx'), bytes);
  const info = {
    model: 'fashion_cnn.onnx',
    dataset: 'Fashion-MNIST test set (10,000 images)',
    input: { name: 'image', shape: ['batch', 1, 28, 28], dtype: 'float32', preprocess: 'pixel / 255, no mean or std' },
    output: { name: 'logits', classes: 10 },
    float_test_accuracy: Number(ortAcc.toFixed(4)),
    parameters: builder.parameterCount(),
    trained_with: `@tensorflow/tfjs ${tf.version_core} (wasm backend), models/train/train-fashion.ts --epochs ${EPOCHS} --seed ${SEED} --batch ${BATCH} --lr ${LR}${values.limit ? ` --limit ${values.limit}` : ''}, Adam, ${nTrain} training images`,
  };
  writeFileSync(resolve(OUT, 'fashion_cnn.json'), JSON.stringify(info, null, 2) + '\n');
  console.log(`wrote ${resolve(OUT, 'fashion_cnn.onnx')} (${bytes.length} bytes, ${info.parameters} parameters); onnxruntime test top-1 ${ortAcc.toFixed(4)}`);
}

await main();
