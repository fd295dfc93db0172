// A soak run against a board on TCP (test/e2e/soak.test.ts, scripts/bench-soak.ts): a tiny
// model (the 8x8 PyTorch-style sample CNN, 2 engine jobs) deployed once, then `total`
// inferences from `clients` concurrent BoardClients, each checked bit for bit against the
// reference engine model's output for its input. Reports every failure, and the round-trip
// latency percentiles.
import { bundleFiles } from '../../../compiler/backend/bundle-io.ts';
import { packArchive } from '../../../compiler/backend/bundle-archive.ts';
import { compileBundle } from '../../../compiler/backend/compile-bundle.ts';
import { importOnnx } from '../../../compiler/onnx/import-onnx.ts';
import { buildModel } from '../../../compiler/onnx/build-model.ts';
import { pytorchCnnSpec } from '../../../compiler/onnx/sample-models.ts';
import { optimize } from '../../../compiler/passes/index.ts';
import { quantize } from '../../../compiler/quant/quantize.ts';
import { defaultConfig } from '../../../boards/ultra96/board.ts';
import { BoardClient } from '../../../host/runtime/board-client.ts';
import { deployModel } from '../../../host/runtime/deploy-model.ts';
import { runInference } from '../../../host/runtime/run-inference.ts';
import { runBundle } from '../../../sim/ref/run-bundle.ts';
import { readFileSync } from 'node:fs';
import { repoRoot } from './shared-paths.ts';

export interface SoakResult {
  inferences: number;
  failures: string[];
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function soak(port: number, token: string, opts: { clients: number; total: number; inputs?: number }): Promise<SoakResult> {
  const qm = quantize(optimize(importOnnx(buildModel(pytorchCnnSpec(1)))));
  const bundle = compileBundle(qm, defaultConfig('ultra96'), { name: 'soak' });
  const inIo = bundle.manifest.inputs[0];
  const n = inIo.shape.reduce((a, b) => a * b, 1);
  // a few distinct inputs and their expected outputs from the reference engine model
  const inputs = Array.from({ length: opts.inputs ?? 16 }, (_, k) => Int16Array.from({ length: n }, (_, i) => ((i * 131 + k * 977) % 4096) - 2048));
  const expected = inputs.map((q) => {
    const r = runBundle(bundle, { [inIo.name]: { dims: inIo.shape, data: Float32Array.from(q, (v) => v * 2 ** -inIo.f) } });
    return Object.values(r.raw).map((t) => Array.from(t.q).join(','));
  });
  const transport = { kind: 'tcp' as const, host: '127.0.0.1', port };
  const first = await BoardClient.connect({ transport, token, keepalive: false });
  await deployModel(first, {
    bitstream: new Uint8Array(readFileSync(`${repoRoot}/host/virtual-board/overlay/cnna-virtual.bit`)),
    hwh: new Uint8Array(readFileSync(`${repoRoot}/host/virtual-board/overlay/cnna-virtual.hwh`)),
    bundle: packArchive(bundleFiles(bundle)),
  });
  await first.close();

  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: opts.clients }, async (_, c) => {
    const client = await BoardClient.connect({ transport, token, keepalive: false });
    try {
      for (let i = next++; i < opts.total; i = next++) {
        const k = i % inputs.length;
        try {
          const t = performance.now();
          const r = await runInference(client, [{ name: inIo.name, shape: inIo.shape, data: inputs[k] }]);
          latencies.push(performance.now() - t);
          const got = r.outputs.map((o) => Array.from(o.data).join(','));
          if (got.join('|') !== expected[k].join('|')) failures.push(`client ${c}, inference ${i}: output differs from the reference engine model`);
        } catch (e) {
          failures.push(`client ${c}, inference ${i}: ${(e as Error).message}`);
        }
      }
    } finally {
      await client.close();
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return { inferences: latencies.length, failures, seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] };
}
