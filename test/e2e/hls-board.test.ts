// The virtual board with the 'hls' engine (the HLS C++ in its clocked SystemC model): deploy the default
// Fashion-MNIST model over TCP on loopback and infer 3 test images; every output equals the golden model
// (runFixed) bit for bit, and the reported cycles are the clocked model's, equal to what `runBundleHls`
// reports for the same bundle and image.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fashionMnistAvailable } from '../../compiler/data/fashion-mnist.ts';
import { BoardClient } from '../../host/runtime/board-client.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import { runInference } from '../../host/runtime/run-inference.ts';
import { AgentCore } from '../../host/virtual-board/agent-core.ts';
import { loadBackend } from '../../host/virtual-board/backends/backend-registry.ts';
import { serveTcp } from '../../host/virtual-board/serve-tcp.ts';
import { runBundleHls } from '../../sim/hls/run-hls.ts';
import { compileFashion, type CompiledFashion } from './support/fashion-model.ts';
import { virtualHwh } from './support/shared-paths.ts';
import { FAKE_BITSTREAM } from './support/synthetic-model.ts';

const TOKEN = 'hls-token';

describe.skipIf(!fashionMnistAvailable())('virtual board with the hls engine (skipped: Fashion-MNIST absent)', () => {
  let model: CompiledFashion;
  let dir: string;
  beforeAll(() => {
    model = compileFashion(3);
    dir = mkdtempSync(join(tmpdir(), 'cnna-hls-board-'));
  });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('deploys and infers bit-exact over TCP, with the clocked model\'s cycles', async () => {
    const backend = await loadBackend('hls');
    expect(backend.name).toBe('hls');
    const core = new AgentCore({ cacheDir: join(dir, 'cache'), token: TOKEN, backend });
    const agent = await serveTcp(core, { port: 0 });
    const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: agent.port }, token: TOKEN, keepalive: false, longTimeoutMs: 300_000, longRetransmitMs: 300_000 });
    try {
      const dep = await deployModel(client, { bitstream: FAKE_BITSTREAM, hwh: new Uint8Array(readFileSync(virtualHwh)), bundle: model.archive });
      const io = model.bundle.manifest.inputs[0];
      for (const c of model.cases) {
        const r = await runInference(client, [{ name: io.name, shape: io.shape, data: c.input }], { timeoutMs: 300_000 });
        expect(Array.from(r.outputs[0].data), `image ${c.index}`).toEqual(Array.from(c.golden));
        const direct = await runBundleHls(model.bundle, [{ raw: { [io.name]: c.input } }], { mode: 'clocked' });
        expect(r.cycles).toBe(direct.runs[0].cycles);
        expect(r.cycles).toBeGreaterThan(10_000);
        expect(r.timeNs).toBe(Math.round((r.cycles * 1e9) / dep.clockHz));
      }
    } finally {
      await client.close();
      await agent.close();
      core.close();
    }
  }, 600_000);
});
