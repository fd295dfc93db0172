// The board part of `cnna demo` (not a command itself): compile the quantized model to a bundle,
// start a virtual board on loopback (the 'ref' engine, a temporary cache), deploy the bundle with
// the virtual overlay, and infer Fashion-MNIST test images on it, showing each image's true
// label, the board's answer, its agreement with the golden model bit for bit, the on-board
// cycles and the round-trip latency.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFiles } from '../../compiler/backend/bundle-io.ts';
import { packArchive } from '../../compiler/backend/bundle-archive.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { FASHION_MNIST_CLASSES } from '../../compiler/data/fashion-mnist.ts';
import { toBatch, type ImageSet } from '../../compiler/data/preprocess.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { BoardClient } from '../../host/runtime/board-client.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import { runInference } from '../../host/runtime/run-inference.ts';
import { AgentCore } from '../../host/virtual-board/agent-core.ts';
import { refBackend } from '../../host/virtual-board/backends/ref-backend.ts';
import { serveTcp } from '../../host/virtual-board/serve-tcp.ts';
import type { CommandContext } from '../command.ts';
import { progress, type Progress } from '../progress.ts';

export const VIRTUAL_OVERLAY = {
  bitstream: fileURLToPath(new URL('../../host/virtual-board/overlay/cnna-virtual.bit', import.meta.url)),
  hwh: fileURLToPath(new URL('../../host/virtual-board/overlay/cnna-virtual.hwh', import.meta.url)),
};

export async function stepBoard(qm: QuantizedModel, set: ImageSet, count: number, first: number, ctx: CommandContext) {
  const bundle = compileBundle(qm, defaultConfig('ultra96'), { name: 'fashion_cnn' });
  const archive = packArchive(bundleFiles(bundle));
  const man = bundle.manifest;
  ctx.log('');
  ctx.log(`${first}. compile for the Ultra96 config: ${man.layers.length} layers, ${man.descriptors.count} engine jobs, ${man.params.size.toLocaleString('en-US')} B of weights, bundle archive ${archive.length.toLocaleString('en-US')} B (config ${man.configHash})`);

  const dir = mkdtempSync(join(tmpdir(), 'cnna-demo-board-'));
  const token = randomBytes(12).toString('hex');
  const core = new AgentCore({ cacheDir: dir, token, backend: refBackend });
  const agent = await serveTcp(core, { port: 0 });
  ctx.log('');
  ctx.log(`${first + 1}. start a virtual board: cnna board serve --virtual --backend ref on tcp 127.0.0.1:${agent.port} (pairing token, cache in ${dir})`);
  let client: BoardClient | undefined;
  try {
    client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: agent.port }, token, keepalive: false });
    ctx.log(`     board ${client.hello.board} (${client.hello.part}), agent ${client.hello.agent}, protocol ${client.hello.protocol}`);

    let bar: Progress | undefined;
    let at = 0;
    const t0 = performance.now();
    const dep = await deployModel(client, {
      bitstream: new Uint8Array(readFileSync(VIRTUAL_OVERLAY.bitstream)),
      hwh: new Uint8Array(readFileSync(VIRTUAL_OVERLAY.hwh)),
      bundle: archive,
    }, {
      onProgress: (kind, done, total) => {
        if (kind !== 'bundle') return;
        bar ??= progress('upload bundle', total, { json: ctx.json });
        bar.tick(done - at);
        at = done;
      },
    });
    bar?.stop();
    ctx.log('');
    ctx.log(`${first + 2}. deploy (bitstream, .hwh and bundle uploaded in checksummed chunks, cached by SHA-256, activated atomically): deployment ${dep.deployId} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);

    ctx.log('');
    ctx.log(`${first + 3}. infer the first ${count} Fashion-MNIST test images on the board`);
    ctx.log(`     ${'#'.padEnd(3)}${'true'.padEnd(14)}${'board'.padEnd(14)}${'= golden'.padEnd(10)}${'cycles'.padStart(9)}  ${'on board'.padStart(9)}  round trip`);
    const io = man.inputs[0];
    const outIo = man.outputs[0];
    const src = outIo.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === outIo.name)?.inputs[0] ?? outIo.name : outIo.name;
    const name = (c: number) => FASHION_MNIST_CLASSES[c] ?? `class ${c}`;
    const results = [];
    let exact = 0;
    let correct = 0;
    for (let i = 0; i < count; i++) {
      const x = toBatch(set, i, 1);
      const q = Int16Array.from(x.data, (v) => quant(v, io.f));
      const r = await runInference(client, [{ name: io.name, shape: io.shape, data: q }]);
      const board = Array.from(r.outputs[0].data);
      const golden = Array.from(runFixed(qm, { [qm.graph.inputs[0].name]: x }, { keepAll: true }).raw[src].q);
      const same = board.length === golden.length && board.every((v, k) => v === golden[k]);
      const pred = board.indexOf(Math.max(...board));
      if (same) exact++;
      if (pred === set.labels[i]) correct++;
      ctx.log(`     ${String(i).padEnd(3)}${name(set.labels[i]).padEnd(14)}${name(pred).padEnd(14)}${(same ? 'yes' : 'NO').padEnd(10)}${r.cycles.toLocaleString('en-US').padStart(9)}  ${`${(r.timeNs / 1e6).toFixed(3)} ms`.padStart(9)}  ${(r.rttNs / 1e6).toFixed(1)} ms`);
      results.push({ index: i, label: set.labels[i], labelName: name(set.labels[i]), prediction: pred, predictionName: name(pred), bitExact: same, cycles: r.cycles, boardTimeMs: r.timeNs / 1e6, roundTripMs: r.rttNs / 1e6 });
    }
    ctx.log(`     ${correct}/${count} correct; ${exact}/${count} bit-exact against the golden model; on-board time at ${(dep.clockHz / 1e6).toFixed(0)} MHz (the config's clock)`);
    return { bundle: { configHash: man.configHash, jobs: man.descriptors.count, weightBytes: man.params.size, archiveBytes: archive.length }, deployId: dep.deployId, clockHz: dep.clockHz, results, bitExact: exact === count };
  } finally {
    await client?.close();
    await agent.close();
    core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
