// The default Fashion-MNIST model, compiled to a real bundle, deployed through the host runtime
// to the Python PYNQ agent (hw_fake, whose engine is the TypeScript engine model sim/ref run on
// the agent's DDR image) over TCP loopback: the int16 outputs of three test images equal the
// golden model bit for bit, which checks the agent's bundle loading, NCHW16c packing, DDR image
// and output unpacking against independent code.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packArchive } from '../../compiler/backend/bundle-archive.ts';
import { bundleFiles } from '../../compiler/backend/bundle-io.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quant } from '../../compiler/quant/fixed-point.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { BoardClient } from '../../host/runtime/board-client.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import { runInference } from '../../host/runtime/run-inference.ts';
import { repoRoot } from '../e2e/support/shared-paths.ts';

const TOKEN = 'bitexact-token-01';
const haveData = fashionMnistAvailable();

describe.skipIf(!haveData)(`Python agent + TS engine model vs golden model${haveData ? '' : ' (skipped: Fashion-MNIST is absent)'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-agent-bitexact-'));
  let proc: ChildProcess | undefined;
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const done = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGKILL');
      await done;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploys the default model and infers 3 test images bit-exactly', async () => {
    const config = defaultConfig();
    const qm = quantize(optimize(importOnnx(join(repoRoot, 'models/default/fashion_cnn.onnx'))), { calibrationImages: 64, report: false });
    const bundle = compileBundle(qm, config);
    const archive = packArchive(bundleFiles(bundle));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const engine = `node --import tsx ${join(repoRoot, 'test/agent/support/ref-engine-image.ts')} --config ${join(dir, 'config.json')} --serve`;
    proc = spawn('python3', ['-m', 'cnna_agent', '--cache', join(dir, 'cache'), '--hw', 'fake', '--no-fsync', '--tcp', '127.0.0.1:0', '--fake-engine', engine], {
      cwd: join(repoRoot, 'boards/ultra96/agent'), env: { ...process.env, CNNA_BOARD_TOKEN: TOKEN, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((res, rej) => {
      let out = '';
      proc!.stdout!.on('data', (d) => {
        out += String(d);
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) res(Number(m[1]));
      });
      proc!.once('exit', (c) => rej(new Error(`agent exited with ${c}`)));
    });
    const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port }, token: TOKEN, longTimeoutMs: 120_000, retransmitMs: 60_000 });
    try {
      const hwh = readFileSync(join(repoRoot, 'host/hwh/fixtures/mini-z7.hwh'));
      const dep = await deployModel(client, { bitstream: new TextEncoder().encode('test overlay\n'.repeat(100)), hwh, bundle: archive });
      const inIo = bundle.manifest.inputs[0];
      const outIo = bundle.manifest.outputs[0];
      expect(dep.inputs).toEqual([{ name: inIo.name, dtype: 'int16', shape: inIo.shape, f: inIo.f }]);
      const set = loadFashionMnist('test', { limit: 3 });
      const golden = outIo.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === outIo.name)!.inputs[0] : outIo.name;
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const x = toBatch(set, i, 1);
        const g = runFixed(qm, { [qm.graph.inputs[0].name]: x }, { keepAll: true }).raw[golden];
        const q = Int16Array.from(x.data, (v) => quant(v, inIo.f));
        const r = await runInference(client, [{ name: inIo.name, shape: inIo.shape, data: q }]).catch((e) => { throw new Error(`${e.message} ${JSON.stringify(e.detail)}`); });
        expect(r.outputs[0].f).toBe(g.f);
        expect(Array.from(r.outputs[0].data)).toEqual(Array.from(g.q));
        seen.add(Array.from(g.q).join(','));
        expect(r.cycles).toBeGreaterThan(0);
        expect(r.timeNs).toBe(Math.round(r.cycles * 1e9 / 199998001));
      }
      expect(seen.size).toBe(3);
    } finally {
      await client.close();
    }
  }, 240_000);
});
