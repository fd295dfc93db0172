// The default Fashion-MNIST model, compiled to a real bundle, deployed through the host runtime
// to the Python PYNQ agent (hw_fake, whose engine is the TypeScript engine model sim/ref run on
// the agent's DDR image) over TCP loopback. The int16 outputs equal the golden model bit for
// bit, which checks the agent's bundle loading, NCHW16c packing, DDR image and output
// unpacking against independent code; then the same through a fault-injecting proxy (byte
// corruption 1e-4 both ways, dropped upload chunks, disconnects mid-upload, an agent restart):
// every inference is bit-exact or a clear error, and the interrupted upload completes.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packArchive } from '../../compiler/backend/bundle-archive.ts';
import { encodeBitstreamHeader, syntheticBitstreamData } from '../../host/hwh/bitstream-header.ts';
import { bundleFiles } from '../../compiler/backend/bundle-io.ts';
import { compileBundle, type Bundle } from '../../compiler/backend/compile-bundle.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { BoardClient, type ClientOptions } from '../../host/runtime/board-client.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import { runInference } from '../../host/runtime/run-inference.ts';
import { uploadObject } from '../../host/runtime/upload-object.ts';
import { startTcpFaultProxy } from '../e2e/support/fault-proxy.ts';
import { totalFaults } from '../e2e/support/link-faults.ts';
import { repoRoot } from '../e2e/support/shared-paths.ts';
import { refEngineCommand, startPythonAgent, type PythonAgent } from './support/python-agent.ts';

const TOKEN = 'bitexact-token-01';
const CHUNK_TYPE = 0x11;
const haveData = fashionMnistAvailable();
const N_IMAGES = 24;

describe.skipIf(!haveData)(`Python agent + TS engine model vs golden model${haveData ? '' : ' (skipped: Fashion-MNIST is absent)'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-agent-bitexact-'));
  const agents: PythonAgent[] = [];
  let bundle: Bundle;
  let archive: Uint8Array;
  let engine: string;
  const inputs: Int16Array[] = [];
  const golden: Int16Array[] = [];
  const hwh = readFileSync(join(repoRoot, 'host/hwh/fixtures/mini-z7.hwh'));
  const bitstream = encodeBitstreamHeader({ design: 'bitexact', part: 'xczu3eg-sbva484-1-e', data: syntheticBitstreamData(new TextEncoder().encode('test overlay\n'.repeat(100))) });

  async function startAgent(cache: string, port = 0): Promise<PythonAgent> {
    const a = await startPythonAgent({ cache, engine, token: TOKEN, port });
    agents.push(a);
    return a;
  }

  beforeAll(() => {
    const config = defaultConfig();
    const qm = quantize(optimize(importOnnx(join(repoRoot, 'models/default/fashion_cnn.onnx'))), { calibrationImages: 64, report: false });
    bundle = compileBundle(qm, config);
    archive = packArchive(bundleFiles(bundle));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    engine = refEngineCommand(join(dir, 'config.json'));
    const inIo = bundle.manifest.inputs[0];
    const outIo = bundle.manifest.outputs[0];
    const src = outIo.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === outIo.name)!.inputs[0] : outIo.name;
    const set = loadFashionMnist('test', { limit: N_IMAGES });
    for (let i = 0; i < N_IMAGES; i++) {
      const x = toBatch(set, i, 1);
      const g = runFixed(qm, { [qm.graph.inputs[0].name]: x }, { keepAll: true }).raw[src];
      expect(g.f).toBe(outIo.f);
      golden.push(g.q);
      inputs.push(Int16Array.from(x.data, (v) => quant(v, inIo.f)));
    }
  }, 600_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const infer = (client: BoardClient, i: number, timeoutMs?: number) => {
    const io = bundle.manifest.inputs[0];
    return runInference(client, [{ name: io.name, shape: io.shape, data: inputs[i] }], { timeoutMs });
  };

  it('deploys the default model and infers test images bit-exactly', async () => {
    const agent = await startAgent(join(dir, 'cache-clean'));
    const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: agent.port }, token: TOKEN, longTimeoutMs: 120_000, retransmitMs: 60_000 });
    try {
      const dep = await deployModel(client, { bitstream, hwh, bundle: archive });
      const inIo = bundle.manifest.inputs[0];
      expect(dep.inputs).toEqual([{ name: inIo.name, dtype: 'int16', shape: inIo.shape, f: inIo.f }]);
      expect(new Set(golden.map((g) => g.join(','))).size).toBeGreaterThan(N_IMAGES / 2);
      for (let i = 0; i < 6; i++) {
        const r = await infer(client, i);
        expect(r.outputs[0].f).toBe(bundle.manifest.outputs[0].f);
        expect(Array.from(r.outputs[0].data), `image ${i}`).toEqual(Array.from(golden[i]));
        expect(r.cycles).toBeGreaterThan(0);
        expect(r.timeNs).toBe(Math.round(r.cycles * 1e9 / 199998001));
      }
    } finally {
      await client.close();
    }
  }, 600_000);

  it('under link faults: bit-exact or a clear error; an upload cut by disconnects and an agent restart completes', async () => {
    const cache = join(dir, 'cache-faults');
    let agent = await startAgent(cache);
    const port = agent.port;
    const proxy = await startTcpFaultProxy(port);
    const opts: ClientOptions = {
      transport: { kind: 'tcp', host: '127.0.0.1', port: proxy.port }, token: TOKEN,
      retransmitMs: 1500, fastRetransmitMs: 100, maxAttempts: 12, keepalive: false, reconnectMs: 20_000,
    };
    const client = await BoardClient.connect(opts);
    let ok = 0;
    const errors: string[] = [];
    const tryInfer = async (i: number) => {
      try {
        const r = await infer(client, i % N_IMAGES, 20_000);
        expect(Array.from(r.outputs[0].data), `image ${i}`).toEqual(Array.from(golden[i % N_IMAGES]));
        ok++;
      } catch (e) {
        if (!(e instanceof CnnaError)) throw e;
        expect(['E_TIMEOUT', 'E_LINK']).toContain(e.code);
        errors.push(e.message);
      }
    };
    try {
      await deployModel(client, { bitstream, hwh, bundle: archive });
      // 64 KiB TCP chunks: at 1e-4 nearly every chunk would be hit, so uploads see 2e-6 (plus
      // dropped chunks and disconnects) and the inferences 1e-4 both ways.
      const uploadFaults = () => {
        proxy.up = { corruptRate: 2e-6, dropRate: 0.05, dropTypes: [CHUNK_TYPE], seed: 0x5bd1e995 };
        proxy.down = { corruptRate: 1e-4, dropRate: 0, seed: 0x27d4eb2f };
      };
      const inferFaults = () => {
        proxy.up = { corruptRate: 1e-4, dropRate: 0, seed: 0x68e31da4 };
        proxy.down = { corruptRate: 1e-4, dropRate: 0, seed: 0x1b873593 };
      };
      uploadFaults();
      const big = new Uint8Array(randomBytes(1 << 20));
      const sha = createHash('sha256').update(big).digest('hex');
      // every chunk the client counts toward its 800,000 bytes is answered before it stops, so
      // at least that many bytes cross the proxy and both cuts happen during the upload
      proxy.cutAfterForwarded([250_000, 600_000]);
      await expect(uploadObject(client, 'bitstream', big, { stopAfterBytes: 800_000 })).rejects.toThrow('stopped after');
      expect(proxy.pendingCuts()).toBe(0);
      inferFaults();
      for (let i = 0; i < 15; i++) await tryInfer(i);
      // agent restart on the same cache and port: the client reconnects, the upload resumes
      await agent.stop();
      proxy.counters.restarts++;
      agent = await startAgent(cache, port);
      uploadFaults();
      const up = await uploadObject(client, 'bitstream', big);
      expect(up.sha256).toBe(sha);
      expect(up.resumedBytes).toBeGreaterThan(0);
      expect(createHash('sha256').update(readFileSync(join(cache, 'objects', sha))).digest('hex')).toBe(sha);
      inferFaults();
      // infer until at least 20 faults were injected in all (at 1e-4 an inference round trip of
      // ~1.7 kB sees about 0.17 corrupted bytes), at most 200 inferences
      let n = 15;
      while ((n < 40 || totalFaults(proxy.counters) < 20) && n < 200) await tryInfer(n++);
      process.stderr.write(`agent link faults: ${totalFaults(proxy.counters)} faults ${JSON.stringify(proxy.counters)}; ${ok} bit-exact inferences, ${errors.length} clear errors\n`);
      expect(proxy.counters.disconnects).toBe(2);
      expect(proxy.counters.droppedFrames).toBeGreaterThan(0);
      expect(totalFaults(proxy.counters)).toBeGreaterThanOrEqual(20);
      expect(ok).toBeGreaterThanOrEqual(Math.floor(0.75 * n));
    } finally {
      await client.close();
      await proxy.close();
    }
  }, 600_000);
});
