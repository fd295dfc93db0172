// Partitioned bundles on the Python PYNQ agent (hw_fake, whose engine is the TypeScript engine
// model run on the agent's DDR image at BASE, test/agent/support/ref-engine-image.ts): the agent
// runs each engine segment at BASE = image + its HEADER's offset and the host ops between them in
// Python (cnna_agent/host_ops.py). Real PyTorch exports with a Sigmoid and a Tanh, a channel Softmax, LpPool and
// SoftPool between convs (test/fixtures/torch-host-ops); every output equals the golden model's.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { packArchive } from '../../compiler/backend/bundle-archive.ts';
import { bundleFiles } from '../../compiler/backend/bundle-io.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { encodeBitstreamHeader, syntheticBitstreamData } from '../../host/hwh/bitstream-header.ts';
import { BoardClient } from '../../host/runtime/board-client.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import { runInference } from '../../host/runtime/run-inference.ts';
import { rng } from '../engine/random-layer.ts';
import { repoRoot } from '../e2e/support/shared-paths.ts';
import { refEngineCommand, startPythonAgent, type PythonAgent } from './support/python-agent.ts';

const TOKEN = 'segments-token-01';
const MODELS = ['sigmoid-tanh-opset17', 'channel-softmax-opset17', 'lppool-opset17', 'softpool-opset13'];
const IMAGES = 2;

describe('partitioned bundles on the Python agent (engine segments + host ops)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-agent-segments-'));
  let agent: PythonAgent | undefined;
  afterAll(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`deploys and infers ${MODELS.join(', ')} bit-exact against the golden model`, async () => {
    const config = defaultConfig();
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    agent = await startPythonAgent({ cache: join(dir, 'cache'), engine: refEngineCommand(join(dir, 'config.json')), token: TOKEN });
    const port = agent.port;
    const hwh = readFileSync(join(repoRoot, 'host/hwh/fixtures/mini-z7.hwh'));
    const bitstream = encodeBitstreamHeader({ design: 'segments', part: 'xczu3eg-sbva484-1-e', data: syntheticBitstreamData(new TextEncoder().encode('test overlay\n'.repeat(100))) });
    const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port }, token: TOKEN, longTimeoutMs: 120_000, retransmitMs: 60_000 });
    const bad: string[] = [];
    try {
      for (const [k, name] of MODELS.entries()) {
        const qm = quantize(optimize(importOnnx(readFileSync(join(repoRoot, 'test/fixtures/torch-host-ops', `${name}.onnx`)))), { calibrationImages: 8, report: false, onWarning: () => {} });
        const bundle = compileBundle(qm, config, { name });
        expect(bundle.manifest.segments!.length).toBeGreaterThan(2);
        await deployModel(client, { bitstream, hwh, bundle: packArchive(bundleFiles(bundle)) });
        const io = bundle.manifest.inputs[0];
        const r0 = rng(500 + k);
        for (let i = 0; i < IMAGES; i++) {
          const x = { dims: [1, 3, 16, 16], data: Float32Array.from({ length: 768 }, () => r0() * 2 - 1) };
          const gold = runFixed(qm, { input: x }).raw.logits.q;
          const r = await runInference(client, [{ name: 'input', shape: io.shape, data: Int16Array.from(x.data, (v) => quant(v, io.f)) }], { timeoutMs: 120_000 });
          if (Array.from(r.outputs[0].data).join(',') !== Array.from(gold).join(',')) bad.push(`${name} image ${i}: agent [${Array.from(r.outputs[0].data)}] vs golden [${Array.from(gold)}]`);
          if (!(r.cycles > 0)) bad.push(`${name}: ${r.cycles} cycles`);
        }
      }
    } finally {
      await client.close();
    }
    expect(bad).toEqual([]);
  }, 600_000);
});
