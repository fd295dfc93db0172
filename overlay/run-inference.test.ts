// The generated run_inference.py does one inference the way the board would, on the board agent's
// substituted hardware layer (hw_fake, whose engine is the TypeScript engine model): the default
// Fashion-MNIST model, compiled for the Ultra96 config, three test images. The outputs equal the
// golden model bit for bit, which checks the script's DDR image, input packing, engine protocol
// (the generated EngineControl) and output unpacking. Skipped when Fashion-MNIST is absent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { boardDefaultConfig } from '../boards/index.ts';
import { packArchive } from '../compiler/backend/bundle-archive.ts';
import { bundleFiles } from '../compiler/backend/bundle-io.ts';
import { compileBundle } from '../compiler/backend/compile-bundle.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../compiler/data/fashion-mnist.ts';
import { toBatch } from '../compiler/data/preprocess.ts';
import { quant } from '../compiler/golden/fixed/fixed-point.ts';
import { runFixed } from '../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { writeOverlay } from './write-overlay.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const haveData = fashionMnistAvailable();
const N = 3;

describe.skipIf(!haveData)(`run_inference.py on hw_fake vs the golden model${haveData ? '' : ' (skipped: Fashion-MNIST is absent)'}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'cnna-run-inference-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('three Fashion-MNIST images give the golden outputs bit for bit', () => {
    const config = boardDefaultConfig('ultra96');
    writeOverlay(join(work, 'ov'), 'ultra96', config);
    const qm = quantize(optimize(importOnnx(join(repo, 'models/default/fashion_cnn.onnx'))), { calibrationImages: 64, report: false });
    const bundle = compileBundle(qm, config);
    writeFileSync(join(work, 'bundle.cnnab'), packArchive(bundleFiles(bundle)));
    writeFileSync(join(work, 'config.json'), JSON.stringify(config));
    const inIo = bundle.manifest.inputs[0];
    const outIo = bundle.manifest.outputs[0];
    const src = outIo.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === outIo.name)!.inputs[0] : outIo.name;
    const set = loadFashionMnist('test', { limit: N });
    const golden: number[][] = [];
    const inputs: Int16Array[] = [];
    for (let i = 0; i < N; i++) {
      const x = toBatch(set, i, 1);
      golden.push(Array.from(runFixed(qm, { [qm.graph.inputs[0].name]: x }, { keepAll: true }).raw[src].q));
      inputs.push(Int16Array.from(x.data, (v) => quant(v, inIo.f)));
    }
    const all = new Uint8Array(inputs.reduce((a, x) => a + x.byteLength, 0));
    inputs.forEach((x, i) => all.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), i * x.byteLength));
    writeFileSync(join(work, 'inputs.bin'), all);
    const engine = `node --import tsx ${join(repo, 'test/agent/support/ref-engine-image.ts')} --config ${join(work, 'config.json')} --serve`;
    const r = spawnSync('python3', [join(here, 'check-run-inference.py'), join(work, 'ov/pynq'), join(repo, 'boards/ultra96/agent'),
      join(repo, 'host/virtual-board/overlay/cnna-virtual.bit'), join(work, 'bundle.cnnab'), join(work, 'inputs.bin'), String(N), engine, join(work, 'scratch')],
    { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(r.stderr).toBe('');
    const o = JSON.parse(r.stdout);
    expect(new Set(golden.map((g) => g.join(','))).size).toBe(N);
    expect(o.outputs).toEqual(golden);
    expect(o.f).toEqual([outIo.f, outIo.f, outIo.f]);
    for (const c of o.cycles) expect(c).toBeGreaterThan(0);
    expect(o.buffersLeft).toBe(0);
    expect(o.shortInput).toBe(`the input holds ${2 * 784 - 2} bytes, the model takes 784 int16 ([1, 1, 28, 28])`);
  });
});
