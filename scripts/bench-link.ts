// Link benchmark of the board protocol (issue 4): bulk upload throughput over TCP loopback
// (target >= 200 MB/s) and over a socat pty pair paced to 3 Mbaud (target >= 85% of the line
// rate, 255 KB/s at 10 bits per byte), and the round-trip overhead of an inference with the
// compute excluded (round trip − the agent's compute time). The virtual board runs in its
// own process (`cnna board serve --virtual --backend synthetic`) for the TCP figures.
// Run: node --import tsx scripts/bench-link.ts [--mb 256] [--serial-kb 1024]
// Figures are from a shared 2-core machine: pessimistic.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BoardClient } from '../host/runtime/board-client.ts';
import { deployModel } from '../host/runtime/deploy-model.ts';
import { runInference } from '../host/runtime/run-inference.ts';
import { uploadObject } from '../host/runtime/upload-object.ts';
import { AgentCore } from '../host/virtual-board/agent-core.ts';
import { syntheticBackend } from '../host/virtual-board/backends/synthetic-backend.ts';
import { serveSerial } from '../host/virtual-board/serve-serial.ts';
import { startSerialFaultRelay } from '../test/e2e/support/fault-proxy.ts';
import { openPtyPair } from '../test/e2e/support/pty-pair.ts';
import { haveUltra96Hwh, repoRoot, ultra96Hwh } from '../test/e2e/support/shared-paths.ts';
import { FAKE_BITSTREAM, synBundle, synImage } from '../test/e2e/support/synthetic-model.ts';

const { values } = parseArgs({ options: {
  mb: { type: 'string', default: '256' }, 'serial-kb': { type: 'string', default: '1024' }, runs: { type: 'string', default: '300' },
  'serial-chunk': { type: 'string', default: '4096' }, 'skip-tcp': { type: 'boolean', default: false },
} });
const TOKEN = 'bench-link-token';
const LINE_BYTES_PER_S = 3_000_000 / 10;

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function procCpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function fmtRate(bytes: number, s: number): string {
  const r = bytes / s;
  return r >= 1e6 ? `${(r / 1e6).toFixed(1)} MB/s` : `${(r / 1e3).toFixed(1)} KB/s`;
}

async function overhead(client: BoardClient, runs: number): Promise<{ p50: number; mean: number; rtt50: number; compute50: number }> {
  const x = { name: 'input', shape: [1, 1, 28, 28], data: synImage(1) };
  for (let i = 0; i < 20; i++) await runInference(client, [x]);
  const o: number[] = [];
  const rtt: number[] = [];
  const comp: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runInference(client, [x]);
    o.push((r.rttNs - r.computeNs) / 1e3);
    rtt.push(r.rttNs / 1e3);
    comp.push(r.computeNs / 1e3);
  }
  const med = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
  return { p50: med(o), mean: o.reduce((a, b) => a + b, 0) / runs, rtt50: med(rtt), compute50: med(comp) };
}

async function deploySynthetic(client: BoardClient): Promise<void> {
  await deployModel(client, { bitstream: FAKE_BITSTREAM, hwh: new Uint8Array(readFileSync(ultra96Hwh)), bundle: synBundle() });
}

async function tcpBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-bench-link-'));
  const proc = spawn(process.execPath, [join(repoRoot, 'bin/cnna.js'), 'board', 'serve', '--virtual', '--backend', 'synthetic', '--tcp', '0', '--token', TOKEN, '--cache', dir, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (d) => {
        out += String(d);
        const m = /"listening":"tcp:[^:]+:(\d+)"/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      proc.once('exit', (c) => reject(new Error(`board serve exited with ${c}`)));
    });
    const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port }, token: TOKEN, keepalive: false });
    const size = Number(values.mb) * 2 ** 20;
    const data = randomBytes(size);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const agentCpu0 = procCpuSeconds(proc.pid!);
    let tChunks = 0;
    const r = await uploadObject(client, 'bitstream', data, { onProgress: (d, t) => { if (d === t && !tChunks) tChunks = performance.now(); } });
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const hostCpu = (cpu.user + cpu.system) / 1e6;
    const agentCpu = procCpuSeconds(proc.pid!) - agentCpu0;
    console.log(`TCP loopback bulk upload: ${(size / 2 ** 20).toFixed(0)} MiB in ${((t1 - t0) / 1000).toFixed(2)} s = ${fmtRate(r.sentBytes, (t1 - t0) / 1000)} including the board's SHA-256 check; ${fmtRate(r.sentBytes, (tChunks - t0) / 1000)} for the chunks alone (target >= 200 MB/s)`);
    console.log(`  CPU used: host ${hostCpu.toFixed(2)} s, agent ${agentCpu.toFixed(2)} s (wall ${((t1 - t0) / 1000).toFixed(2)} s); with a free core per side the link would run at ${fmtRate(r.sentBytes, Math.max(hostCpu, agentCpu))} (bytes / the busier side's CPU time)`);
    if (haveUltra96Hwh) {
      await deploySynthetic(client);
      const o = await overhead(client, Number(values.runs));
      console.log(`TCP loopback inference round trip: p50 ${o.rtt50.toFixed(0)} µs, agent compute p50 ${o.compute50.toFixed(0)} µs, overhead (round trip − compute) p50 ${o.p50.toFixed(0)} µs, mean ${o.mean.toFixed(0)} µs`);
    }
    await client.close();
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function serialBench(paced: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-bench-link-'));
  const relay = paced ? await startSerialFaultRelay({ bytesPerSecond: LINE_BYTES_PER_S }) : undefined;
  const pair = paced ? undefined : await openPtyPair();
  const hostPath = relay?.hostPath ?? pair!.a;
  const agentPath = relay?.agentPath ?? pair!.b;
  const core = new AgentCore({ cacheDir: dir, token: TOKEN, backend: syntheticBackend, limits: { chunkSize: Number(values['serial-chunk']) } });
  const agent = await serveSerial(core, { path: agentPath, baudRate: 3_000_000 });
  try {
    const client = await BoardClient.connect({ transport: { kind: 'serial', path: hostPath, baudRate: 3_000_000 }, token: TOKEN, keepalive: false });
    const size = Number(values['serial-kb']) * 1024;
    const data = randomBytes(size);
    const t0 = performance.now();
    const r = await uploadObject(client, 'bitstream', data);
    const s = (performance.now() - t0) / 1000;
    const what = paced ? 'pty pair paced to 3 Mbaud (300,000 B/s line)' : 'raw pty pair (a pty has no baud rate)';
    console.log(`serial ${what}: ${(size / 1024).toFixed(0)} KiB in ${s.toFixed(2)} s = ${fmtRate(r.sentBytes, s)}${paced ? ` = ${((100 * r.sentBytes) / s / LINE_BYTES_PER_S).toFixed(1)}% of the line rate (target >= 85%)` : ''}; retransmits ${client.stats.retransmits}`);
    if (haveUltra96Hwh && !paced) {
      await deploySynthetic(client);
      const o = await overhead(client, Math.min(100, Number(values.runs)));
      console.log(`serial (raw pty) inference round trip: p50 ${o.rtt50.toFixed(0)} µs, agent compute p50 ${o.compute50.toFixed(0)} µs, overhead p50 ${o.p50.toFixed(0)} µs`);
    }
    await client.close();
  } finally {
    await agent.close();
    await relay?.close();
    await pair?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('cnna board-protocol link benchmark (shared 2-core machine: figures are pessimistic)');
if (!values['skip-tcp']) await tcpBench();
await serialBench(false);
await serialBench(true);
