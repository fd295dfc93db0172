// Images/s of batch deployments through the virtual board: the default Fashion-MNIST model compiled at
// batch N (default 1, 4, 8) for the default Ultra96 config, deployed over TCP to a virtual board on this
// process (ref engine: the TypeScript engine model, cycles from the performance model), then INFERs of N
// test images each. Prints per N the modeled board time of one start, per image, images/s (N / board
// time) and the round trip, and checks every image's outputs against the golden model.
//   node --import tsx scripts/bench-batch-board.ts [--batch 1,4,8] [--starts 3] [--backend ref|rtl|hls]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../boards/ultra96/board.ts';
import { packArchive } from '../compiler/backend/bundle-archive.ts';
import { bundleFiles } from '../compiler/backend/bundle-io.ts';
import { compileBundle } from '../compiler/backend/compile-bundle.ts';
import { loadFashionMnist } from '../compiler/data/fashion-mnist.ts';
import { toBatch } from '../compiler/data/preprocess.ts';
import { quant } from '../compiler/golden/fixed/fixed-point.ts';
import { runFixed } from '../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { BoardClient } from '../host/runtime/board-client.ts';
import { deployModel } from '../host/runtime/deploy-model.ts';
import { runBatchInference, runInference } from '../host/runtime/run-inference.ts';
import { AgentCore } from '../host/virtual-board/agent-core.ts';
import { loadBackend } from '../host/virtual-board/backends/backend-registry.ts';
import { serveTcp } from '../host/virtual-board/serve-tcp.ts';
import { perfCompileOptions } from '../sim/perf/model-bundle.ts';
import { repoRoot, virtualHwh } from '../test/e2e/support/shared-paths.ts';
import { FAKE_BITSTREAM } from '../test/e2e/support/synthetic-model.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const batches = arg('--batch', '1,4,8').split(',').map(Number);
const starts = Number(arg('--starts', '3'));
const TOKEN = 'bench-batch-token';

const config = defaultConfig();
const qm = quantize(optimize(importOnnx(join(repoRoot, 'models/default/fashion_cnn.onnx'))), { report: false });
const maxN = Math.max(...batches);
const set = loadFashionMnist('test', { limit: maxN * starts });
const inIo0 = qm.graph.inputs[0];
const dir = mkdtempSync(join(tmpdir(), 'cnna-bench-batch-'));
const core = new AgentCore({ cacheDir: join(dir, 'cache'), token: TOKEN, backend: await loadBackend(arg('--backend', 'ref')) });
const server = await serveTcp(core, { port: 0 });
const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: server.port }, token: TOKEN, keepalive: false, longTimeoutMs: 3_600_000, retransmitMs: 3_600_000 });
const rows: string[] = [];
try {
  for (const n of batches) {
    const bundle = compileBundle(qm, config, { ...perfCompileOptions(config), ...(n > 1 ? { batch: n } : {}) });
    const io = bundle.manifest.inputs[0];
    const out = bundle.manifest.outputs[0];
    const src = out.hostTail ? qm.graph.nodes.find((x) => x.outputs[0] === out.name)!.inputs[0] : out.name;
    const dep = await deployModel(client, { bitstream: FAKE_BITSTREAM, hwh: new Uint8Array(readFileSync(virtualHwh)), bundle: packArchive(bundleFiles(bundle)) });
    let mismatches = 0;
    let timeNs = 0;
    let cycles = 0;
    let rtt = 0;
    for (let s = 0; s < starts; s++) {
      const idx = Array.from({ length: n }, (_, k) => s * n + k);
      const xs = idx.map((i) => toBatch(set, i, 1));
      const images = xs.map((x) => [{ name: io.name, shape: io.shape, data: Int16Array.from(x.data, (v) => quant(v, io.f)) }]);
      const r = n > 1 ? await runBatchInference(client, images) : await runInference(client, images[0]).then((x) => ({ ...x, images: [x.outputs] }));
      r.images.forEach((outs, k) => {
        const g = runFixed(qm, { [inIo0.name]: xs[k] }, { keepAll: true }).raw[src].q;
        if (outs[0].data.length !== g.length || outs[0].data.some((v, j) => v !== g[j])) mismatches++;
      });
      cycles = r.cycles;
      timeNs = r.timeNs;
      rtt += r.rttNs / starts;
    }
    const line = `| ${n} | ${dep.batch} | ${cycles.toLocaleString('en-US')} | ${(timeNs / 1e3).toFixed(1)} µs | ${(timeNs / 1e3 / n).toFixed(1)} µs | ${Math.round(n / (timeNs / 1e9)).toLocaleString('en-US')} | ${(rtt / 1e6).toFixed(1)} ms | ${mismatches === 0 ? `${n * starts}/${n * starts} bit-exact` : `${mismatches} MISMATCHES`} |`;
    rows.push(line);
    process.stderr.write(line + '\n');
  }
} finally {
  await client.close();
  await server.close();
  core.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Default Fashion-MNIST CNN, ${config.array.pi}x${config.array.po} at ${config.clockMhz} MHz, ${starts} INFERs per batch through the virtual board (${arg('--backend', 'ref')} engine):`);
console.log('| N | Deployed batch | Cycles per start | Board time per start | Per image | Images/s (board) | Round trip (mean) | Outputs |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
