// Checks that the generated VGG16's float activations neither vanish nor explode: builds it
// (seed 1 unless --seed), exposes every ReLU/pool output, runs onnxruntime-node on a
// N(0, 1) input and prints the RMS and max |x| of each.
//   node --import tsx scripts/vgg16-activations.ts [--seed N] [--model vgg16]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { buildZooModel, zooModel } from '../models/zoo/index.ts';
import { fillNormal, mulberry32 } from '../models/zoo/random.ts';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, model: { type: 'string', default: 'vgg16' } } });
const model = zooModel(values.model!);
const t0 = Date.now();
const b = buildZooModel(model, Number(values.seed));
const probes: string[] = [];
model.layers.forEach((l, i) => {
  if ((l.kind === 'relu' || l.kind === 'maxpool') && i < model.layers.length - 1) {
    probes.push(`t${i}`);
    b.output(`t${i}`, ['n', 'c', 'h', 'w'].slice(0, l.kind === 'maxpool' || model.layers.slice(i).some((m) => m.kind === 'flatten') ? 4 : 2));
  }
});
const dir = mkdtempSync(join(tmpdir(), 'cnna-act-'));
const file = join(dir, 'model.onnx');
b.writeFile(file);
console.log(`generated and wrote ${model.name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const session = await ort.InferenceSession.create(file);
rmSync(dir, { recursive: true });
const n = model.input.shape.reduce((a, c) => a * c, 1);
const x = fillNormal(new Float32Array(n), 1, mulberry32(12345));
const out = await session.run({ [model.input.name]: new ort.Tensor('float32', x, model.input.shape) });
const stat = (a: Float32Array) => {
  let s = 0, m = 0;
  for (const v of a) { s += v * v; m = Math.max(m, Math.abs(v)); }
  return { rms: Math.sqrt(s / a.length), max: m };
};
for (const name of [...probes, model.output.name]) {
  const i = name === model.output.name ? model.layers.length - 1 : Number(name.slice(1));
  const l = model.layers[i];
  const s = stat(out[name].data as Float32Array);
  console.log(`${String(i).padStart(3)} ${l.kind.padEnd(8)} [${out[name].dims.join('×')}]`.padEnd(36) + `rms ${s.rms.toFixed(3).padStart(8)}  max ${s.max.toFixed(3).padStart(8)}`);
}
