// The TypeScript host runtime (host/runtime) against the Python PYNQ agent (boards/ultra96/agent,
// as a real process on hw_fake) over real TCP loopback and over a socat pty pair at 3 Mbaud:
// handshake, upload, an upload interrupted and resumed across an agent restart, deploy,
// activate, inference, and the input bytes checked in the agent's DDR image.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packArchive } from '../../compiler/backend/bundle-archive.ts';
import { encodeBitstreamHeader, syntheticBitstreamData } from '../../host/hwh/bitstream-header.ts';
import { BoardClient } from '../../host/runtime/board-client.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import { runInference } from '../../host/runtime/run-inference.ts';
import { uploadObject } from '../../host/runtime/upload-object.ts';
import { openPtyPair, type PtyPair } from '../e2e/support/pty-pair.ts';
import { repoRoot } from '../e2e/support/shared-paths.ts';

const TOKEN = 'interop-token-0001';
const agentDir = join(repoRoot, 'boards/ultra96/agent');
const hwh = readFileSync(join(repoRoot, 'host/hwh/fixtures/mini-z7.hwh'));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// A bundle in the single-file form, laid out by hand from docs/bundle-format.md: input [1,3,4,5]
// (NCHW16c, cgStride 640, rowStride 160) at 8192, output [1,10] at 12288, one JOB (LAST).
function testBundle(): Uint8Array {
  const desc = new Uint8Array(128);
  const v = new DataView(desc.buffer);
  desc[0] = 15;
  v.setUint16(2, 1, true);
  v.setUint32(4, 0x414e4e43, true);
  v.setUint32(8, 1, true);
  v.setUint32(12, 16384, true);
  desc[64] = 1;
  desc[65] = 4;
  const weights = new Uint8Array(6000).map((_, i) => i % 251);
  const manifest = {
    format: 'cnna-bundle', version: 1, model: 'interop', configHash: '0123456789abcdef', hwConfig: { array: { pi: 16, po: 16 } },
    memoryMap: { ddrBytes: 16384, regions: [] }, descriptors: { file: 'descriptors.bin', offset: 0, count: 1 },
    params: { file: 'weights.bin', offset: 1024, size: weights.length },
    inputs: [{ name: 'image', shape: [1, 3, 4, 5], f: 14, order: 'nchw', layout: { offset: 8192, c: 3, h: 4, w: 5, cg: 1, rowStride: 160, cgStride: 640 } }],
    outputs: [{ name: 'logits', shape: [1, 10], f: 11, order: 'vector', layout: { offset: 12288, c: 10, h: 1, w: 1, cg: 1, rowStride: 32, cgStride: 32 } }],
    layers: [], files: { 'descriptors.bin': sha(desc), 'weights.bin': sha(weights) },
  };
  return packArchive([['manifest.json', new TextEncoder().encode(JSON.stringify(manifest))], ['descriptors.bin', desc], ['weights.bin', weights]]);
}

interface Agent { proc: ChildProcess; port?: number; stop(): Promise<void> }

async function startAgent(cache: string, args: string[]): Promise<Agent> {
  const proc = spawn('python3', ['-m', 'cnna_agent', '--cache', cache, '--hw', 'fake', '--no-fsync', ...args], {
    cwd: agentDir, env: { ...process.env, CNNA_BOARD_TOKEN: TOKEN, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => { err += String(d); });
  const ready = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`agent did not start: ${err}`)), 120_000);
    proc.stdout!.on('data', (d) => {
      out += String(d);
      const m = /cnna_agent: (listening on 127\.0\.0\.1:(\d+)|serving serial .*)\n/.exec(out);
      if (m) { clearTimeout(t); res(m[2] ?? ''); }
    });
    proc.once('exit', (code) => { clearTimeout(t); rej(new Error(`agent exited with ${code}: ${err}`)); });
  });
  return {
    proc, port: ready ? Number(ready) : undefined,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await done;
    },
  };
}

/** The NCHW16c region of the test input, from the layout formula (independent of the agent). */
function deviceLayout(x: Int16Array): Uint8Array {
  const region = new Int16Array(640 / 2);
  for (let c = 0; c < 3; c++) for (let y = 0; y < 4; y++) for (let xx = 0; xx < 5; xx++) {
    region[(y * 160 + xx * 32 + 2 * c) / 2] = x[c * 20 + y * 5 + xx];
  }
  return new Uint8Array(region.buffer);
}

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => { for (const f of cleanups.reverse()) await f(); });

describe('host runtime <-> Python PYNQ agent (hw_fake)', () => {
  const bundle = testBundle();
  const input = Int16Array.from({ length: 60 }, (_, i) => (i * 977) % 4001 - 2000);

  it('over TCP loopback: handshake, interrupted upload resumed after an agent restart, deploy, infer', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'cnna-interop-'));
    cleanups.push(() => rmSync(cache, { recursive: true, force: true }));
    const bitstream = encodeBitstreamHeader({ design: 'interop', part: 'xczu3eg-sbva484-1-e', data: syntheticBitstreamData(new Uint8Array(randomBytes(300_000))) });
    let agent = await startAgent(cache, ['--tcp', '127.0.0.1:0']);
    cleanups.push(() => agent.stop());
    const spec = () => ({ kind: 'tcp' as const, host: '127.0.0.1', port: agent.port! });
    await expect(BoardClient.connect({ transport: spec(), token: 'wrong-token', reconnectMs: 0 })).rejects.toMatchObject({ code: 'E_AUTH' });
    await new Promise((r) => setTimeout(r, 1100)); // the client's 3 wrong MACs locked pairing from 127.0.0.1 for 1 s
    let client = await BoardClient.connect({ transport: spec(), token: TOKEN, reconnectMs: 0, retransmitMs: 10_000 });
    expect(client.hello).toMatchObject({ protocol: 1, board: 'ultra96v2', agent: 'cnna-pynq/0.1.0', backend: 'fake', overlay: null });
    expect(client.hello.limits.chunkSize).toBe(65536);
    await expect(uploadObject(client, 'bitstream', bitstream, { stopAfterBytes: 131072 }))
      .rejects.toThrow('upload of the bitstream stopped after 131072 bytes (as asked)');
    const status = await client.request('UPLOAD_STATUS', { uploadId: sha(bitstream) });
    expect(status.body).toMatchObject({ size: bitstream.length, complete: false });
    await client.close();
    await agent.stop();
    agent = await startAgent(cache, ['--tcp', '127.0.0.1:0']);
    client = await BoardClient.connect({ transport: spec(), token: TOKEN, reconnectMs: 0, retransmitMs: 10_000 });
    const resumed = await uploadObject(client, 'bitstream', bitstream);
    expect(resumed.resumedBytes).toBeGreaterThanOrEqual(131072);
    expect(resumed.resumedBytes + resumed.sentBytes).toBe(bitstream.length);
    const dep = await deployModel(client, { bitstream, hwh, bundle });
    expect(dep.uploads.bitstream.sentBytes).toBe(0);
    expect(dep.deployId).toBe(sha(new TextEncoder().encode(`${sha(bitstream)}:${sha(hwh)}:${sha(bundle)}`)).slice(0, 32));
    expect(dep.inputs).toEqual([{ name: 'image', dtype: 'int16', shape: [1, 3, 4, 5], f: 14 }]);
    expect(dep.clockHz).toBe(199998001);
    const r = await runInference(client, [{ name: 'image', shape: [1, 3, 4, 5], data: input }]);
    expect(r.cycles).toBe(1000);
    expect(r.timeNs).toBe(Math.round(1000 * 1e9 / 199998001));
    expect(Array.from(r.outputs[0].data)).toEqual(new Array(10).fill(0));
    const inDdr = await client.request('BUFFER_READ', { name: 'input', offset: 0, length: 640 });
    expect(Buffer.from(inDdr.blob).equals(Buffer.from(deviceLayout(input)))).toBe(true);
    await expect(client.request('MMIO_READ', { address: 0x43c10000, count: 1 })).rejects.toThrow(/MMIO_DENIED/);
    expect((await client.request('MMIO_READ', { address: 0x43c00000, count: 1 })).body.values).toEqual([6]);
    await client.close();
  });

  it('over a socat pty pair at 3 Mbaud: handshake, upload, deploy, infer', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'cnna-interop-'));
    cleanups.push(() => rmSync(cache, { recursive: true, force: true }));
    const pty: PtyPair = await openPtyPair();
    cleanups.push(() => pty.close());
    const agent = await startAgent(cache, ['--serial', pty.b, '--baud', '3000000']);
    cleanups.push(() => agent.stop());
    const client = await BoardClient.connect({ transport: { kind: 'serial', path: pty.a, baudRate: 3_000_000 }, token: TOKEN, retransmitMs: 10_000 });
    expect(client.hello.limits.chunkSize).toBe(4096);
    const bitstream = encodeBitstreamHeader({ design: 'interop', part: 'xczu3eg-sbva484-1-e', data: syntheticBitstreamData(new Uint8Array(randomBytes(50_000))) });
    const dep = await deployModel(client, { bitstream, hwh, bundle });
    expect(dep.uploads.bitstream.sentBytes).toBe(bitstream.length);
    const r = await runInference(client, [{ name: 'image', shape: [1, 3, 4, 5], data: input }]);
    expect(r.cycles).toBe(1000);
    const inDdr = await client.request('BUFFER_READ', { name: 'input', offset: 0, length: 640 });
    expect(Buffer.from(inDdr.blob).equals(Buffer.from(deviceLayout(input)))).toBe(true);
    await client.close();
  });
});

