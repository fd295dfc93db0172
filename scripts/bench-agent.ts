// Benchmark of the Python PYNQ agent (boards/ultra96/agent, on hw_fake) driven by the host
// runtime: bulk upload throughput over TCP loopback (with and without fsync per chunk), over a
// socat pty pair at 3 Mbaud (as a fraction of the 8N1 line rate), and the round-trip overhead of
// an inference (RTT minus the agent's compute time). Prints figures; asserts nothing.
// Usage: node --import tsx scripts/bench-agent.ts [--mb 64] [--serial-kb 512] [--runs 200]
import { encodeBitstreamHeader, syntheticBitstreamData } from '../host/hwh/bitstream-header.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packArchive } from '../compiler/backend/bundle-archive.ts';
import { BoardClient } from '../host/runtime/board-client.ts';
import { deployModel } from '../host/runtime/deploy-model.ts';
import { runInference } from '../host/runtime/run-inference.ts';
import { uploadObject, sha256Hex } from '../host/runtime/upload-object.ts';
import { openPtyPair } from '../test/e2e/support/pty-pair.ts';
import { repoRoot } from '../test/e2e/support/shared-paths.ts';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '64' }, 'serial-kb': { type: 'string', default: '512' }, runs: { type: 'string', default: '200' } } });
const TOKEN = 'bench-agent-token';

async function startAgent(cache: string, args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn('python3', ['-m', 'cnna_agent', '--cache', cache, '--hw', 'fake', ...args], {
    cwd: join(repoRoot, 'boards/ultra96/agent'), env: { ...process.env, CNNA_BOARD_TOKEN: TOKEN, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((res, rej) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += String(d);
      const m = /cnna_agent: (?:listening on 127\.0\.0\.1:(\d+)|serving serial)/.exec(out);
      if (m) res(Number(m[1] ?? 0));
    });
    proc.once('exit', (c) => rej(new Error(`agent exited with ${c}`)));
  });
  return { proc, port };
}

function tinyBundle(): Uint8Array {
  const desc = new Uint8Array(128);
  const v = new DataView(desc.buffer);
  desc[0] = 15; v.setUint16(2, 1, true); v.setUint32(4, 0x414e4e43, true); v.setUint32(8, 1, true); v.setUint32(12, 16384, true);
  desc[64] = 1; desc[65] = 4;
  const weights = new Uint8Array(64);
  const io = (name: string, shape: number[], off: number, c: number, h: number, w: number) =>
    ({ name, shape, f: 14, order: shape.length === 4 ? 'nchw' : 'vector', layout: { offset: off, c, h, w, cg: Math.ceil(c / 16), rowStride: w * 32, cgStride: h * w * 32 } });
  const manifest = {
    format: 'cnna-bundle', version: 1, model: 'bench', configHash: '0123456789abcdef', hwConfig: { array: { pi: 16, po: 16 } },
    memoryMap: { ddrBytes: 65536, regions: [] }, descriptors: { file: 'descriptors.bin', offset: 0, count: 1 }, params: { file: 'weights.bin', offset: 1024, size: 64 },
    inputs: [io('input', [1, 1, 28, 28], 4096, 1, 28, 28)], outputs: [io('logits', [1, 10], 32768, 10, 1, 1)], layers: [],
    files: { 'descriptors.bin': sha256Hex(desc), 'weights.bin': sha256Hex(weights) },
  };
  return packArchive([['manifest.json', new TextEncoder().encode(JSON.stringify(manifest))], ['descriptors.bin', desc], ['weights.bin', weights]]);
}

async function tcpUpload(mb: number, fsync: boolean): Promise<void> {
  const cache = mkdtempSync(join(tmpdir(), 'cnna-bench-agent-'));
  const { proc, port } = await startAgent(cache, ['--tcp', '127.0.0.1:0', ...(fsync ? [] : ['--no-fsync'])]);
  try {
    const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port }, token: TOKEN });
    const data = new Uint8Array(randomBytes(mb << 20));
    const t0 = process.hrtime.bigint();
    await uploadObject(client, 'bitstream', data);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`TCP loopback upload, ${mb} MiB, fsync ${fsync ? 'on ' : 'off'}: ${(data.length / s / 1e6).toFixed(1)} MB/s (${s.toFixed(2)} s, sha256 verified on the agent)`);
    await client.close();
  } finally {
    proc.kill('SIGKILL');
    rmSync(cache, { recursive: true, force: true });
  }
}

async function serialUpload(kb: number): Promise<void> {
  const cache = mkdtempSync(join(tmpdir(), 'cnna-bench-agent-'));
  const pty = await openPtyPair();
  const { proc } = await startAgent(cache, ['--serial', pty.b, '--baud', '3000000', '--no-fsync']);
  try {
    const client = await BoardClient.connect({ transport: { kind: 'serial', path: pty.a, baudRate: 3_000_000 }, token: TOKEN });
    const data = new Uint8Array(randomBytes(kb << 10));
    const t0 = process.hrtime.bigint();
    await uploadObject(client, 'bitstream', data);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const lineRate = 3_000_000 / 10;
    console.log(`pty upload at 3 Mbaud, ${kb} KiB: ${(data.length / s / 1e3).toFixed(1)} kB/s = ${(100 * data.length / s / lineRate).toFixed(1)}% of the 8N1 line rate (${lineRate / 1e3} kB/s; a pty does not pace bytes at the baud rate)`);
    await client.close();
  } finally {
    proc.kill('SIGKILL');
    await pty.close();
    rmSync(cache, { recursive: true, force: true });
  }
}

async function inferOverhead(runs: number): Promise<void> {
  const cache = mkdtempSync(join(tmpdir(), 'cnna-bench-agent-'));
  const { proc, port } = await startAgent(cache, ['--tcp', '127.0.0.1:0', '--no-fsync']);
  try {
    const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port }, token: TOKEN });
    const hwh = readFileSync(join(repoRoot, 'host/hwh/fixtures/mini-z7.hwh'));
    await deployModel(client, { bitstream: encodeBitstreamHeader({ design: 'bench', part: 'xczu3eg-sbva484-1-e', data: syntheticBitstreamData(new Uint8Array(randomBytes(1000))) }), hwh, bundle: tinyBundle() });
    const x = new Int16Array(784).map((_, i) => i);
    const over: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await runInference(client, [{ name: 'input', shape: [1, 1, 28, 28], data: x }]);
      over.push((r.rttNs - r.computeNs) / 1e3);
    }
    over.sort((a, b) => a - b);
    console.log(`INFER round-trip overhead over TCP (RTT - agent compute), ${runs} runs, 1.5 kB in / 20 B out: median ${over[runs >> 1].toFixed(0)} us, p90 ${over[Math.floor(runs * 0.9)].toFixed(0)} us`);
    await client.close();
  } finally {
    proc.kill('SIGKILL');
    rmSync(cache, { recursive: true, force: true });
  }
}

console.log('Python agent on hw_fake; 2 shared cores, other jobs running: figures are pessimistic.');
await tcpUpload(Number(values.mb), false);
await tcpUpload(Math.min(16, Number(values.mb)), true);
await serialUpload(Number(values['serial-kb']));
await inferOverhead(Number(values.runs));
