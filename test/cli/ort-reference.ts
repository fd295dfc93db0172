// Independent reference for the CLI tests: onnxruntime-node's predictions for the first n
// Fashion-MNIST test images (x = pixel / 255), and the default model's path.
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { repoRoot } from './run-cli.ts';

export const defaultModel = resolve(repoRoot, 'models/default/fashion_cnn.onnx');

export async function ortLogits(model: string, x: Float32Array, n: number): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(model);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, [n, 1, 28, 28]) });
  return out[s.outputNames[0]].data as Float32Array;
}

export function fashionInputs(n: number, start = 0): { x: Float32Array; labels: number[] } {
  const set = loadFashionMnist('test');
  const x = Float32Array.from(set.images.subarray(start * 784, (start + n) * 784), (p) => p / 255);
  return { x, labels: Array.from(set.labels.subarray(start, start + n)) };
}

/** Predicted classes (argmax of each row of 10 logits). */
export function classes(logits: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < logits.length / 10; i++) {
    let best = 0;
    for (let j = 1; j < 10; j++) if (logits[i * 10 + j] > logits[i * 10 + best]) best = j;
    out.push(best);
  }
  return out;
}
