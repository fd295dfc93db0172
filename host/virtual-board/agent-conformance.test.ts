// The virtual board's agent side against the protocol conformance vectors: every invalid
// stream of invalid.json (error codes, recovery, close) and the scripted session of
// session.json, directly and over a real TCP socket on loopback.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFrame, type Frame } from '../protocol/frame-codec.ts';
import { createStreamDecoder } from '../protocol/stream-decoder.ts';
import { AgentCore } from './agent-core.ts';
import { AgentSession } from './agent-session.ts';
import { syntheticBackend } from './backends/synthetic-backend.ts';
import { serveTcp } from './serve-tcp.ts';

const dir = new URL('../../test/vectors/protocol/', import.meta.url);
const frames = JSON.parse(readFileSync(new URL('frames.json', dir), 'utf8'));
const invalid = JSON.parse(readFileSync(new URL('invalid.json', dir), 'utf8'));
const session = JSON.parse(readFileSync(new URL('session.json', dir), 'utf8'));
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const tmp: string[] = [];
afterAll(() => { for (const d of tmp) rmSync(d, { recursive: true, force: true }); });

function newCore(extra: Partial<ConstructorParameters<typeof AgentCore>[0]> = {}): AgentCore {
  const cacheDir = mkdtempSync(join(tmpdir(), 'cnna-agent-'));
  tmp.push(cacheDir);
  return new AgentCore({ cacheDir, token: 'unused', backend: syntheticBackend, ...extra });
}

function decodeAll(framing: 'serial' | 'tcp' | 'direct', chunks: Uint8Array[]): Frame[] {
  const out: Frame[] = [];
  const dec = framing === 'direct' ? undefined : createStreamDecoder(framing);
  for (const c of chunks) {
    const raws = dec ? dec.push(c).flatMap((e) => (e.kind === 'frame' ? [e.bytes] : [])) : [c];
    for (const r of raws) {
      const d = decodeFrame(r, { direction: 'to-host' });
      if (!d.ok) throw new Error(`agent sent a bad frame: ${d.code}`);
      out.push(d.frame);
    }
  }
  return out;
}

function subsetMatches(expected: unknown, actual: unknown): boolean {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([k, v]) => k in (actual as object) && subsetMatches(v, (actual as Record<string, unknown>)[k]));
  }
  return JSON.stringify(expected) === JSON.stringify(actual);
}

describe('agent side: invalid.json', () => {
  const idOf = new Map<string, number>((frames.vectors as { name: string; frame: { requestId: number } }[]).map((v) => [v.name, v.frame.requestId]));
  for (const v of invalid.vectors as { name: string; transport: 'frame' | 'serial' | 'tcp'; hex: string; limits?: { maxFrame: number }; expect: Record<string, unknown>[] }[]) {
    it(v.name, () => {
      const core = newCore({ limits: v.limits });
      const sent: Uint8Array[] = [];
      let closed = false;
      const framing = v.transport === 'frame' ? 'direct' : v.transport;
      const s = new AgentSession(core, { send: (b) => sent.push(b), close: () => { closed = true; } }, framing);
      if (framing === 'direct') s.receiveFrame(hex(v.hex));
      else s.receive(hex(v.hex));
      const got: unknown[] = decodeAll(framing, sent).map((f) => (f.type === 'ERROR' && ['TRUNCATED', 'BAD_CRC', 'BAD_COBS', 'FRAME_TOO_LARGE', 'UNSUPPORTED_VERSION', 'BAD_FRAME', 'UNKNOWN_TYPE'].includes(f.body.code as string)
        ? { error: f.body.code, requestId: f.requestId }
        : { answered: f.requestId }));
      if (closed) got.push({ close: true });
      const want = v.expect.map((e) => ('frame' in e ? { answered: idOf.get(e.frame as string) } : e));
      expect(got).toEqual(want);
      s.end();
    });
  }
});

async function runScript(send: (raw: Uint8Array) => Promise<Frame>): Promise<void> {
  for (const step of session.steps as { note: string; raw: string; expect: { type: string; requestId: number; flags: number; error?: string; body?: unknown; blobHex?: string } }[]) {
    const r = await send(hex(step.raw));
    const e = step.expect;
    const summary = { type: r.type, requestId: r.requestId, flags: r.flags, ...(e.error ? { error: r.body.code } : {}) };
    expect(summary, step.note).toEqual({ type: e.type, requestId: e.requestId, flags: e.flags, ...(e.error ? { error: e.error } : {}) });
    if (e.body) expect(subsetMatches(e.body, r.body), `${step.note}: ${JSON.stringify(r.body)}`).toBe(true);
    if (e.blobHex !== undefined) expect(toHex(r.blob), step.note).toBe(e.blobHex);
  }
}

describe('agent side: session.json', () => {
  const agentOpts = () => ({ token: session.agent.token, nonces: [...session.agent.nonces], limits: session.agent.limits });

  it('runs the scripted session on a direct session', async () => {
    const core = newCore(agentOpts());
    let pending: ((f: Frame) => void) | undefined;
    const s = new AgentSession(core, { send: (b) => pending?.(decodeAll('direct', [b])[0]), close: () => {} }, 'direct');
    await runScript((raw) => new Promise<Frame>((res) => { pending = res; s.receiveFrame(raw); }));
    s.end();
  });

  it('runs the scripted session over TCP on loopback', async () => {
    const core = newCore(agentOpts());
    const agent = await serveTcp(core, { port: 0 });
    const sock = connect(agent.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const dec = createStreamDecoder('tcp');
    const waiting: ((f: Frame) => void)[] = [];
    sock.on('data', (d) => {
      for (const f of decodeAll('tcp', [d].map((x) => dec.push(x)).flat().flatMap((e) => (e.kind === 'frame' ? [prefix(e.bytes)] : [])))) waiting.shift()?.(f);
    });
    await runScript((raw) => new Promise<Frame>((res) => {
      waiting.push(res);
      const out = Buffer.alloc(4 + raw.length);
      out.writeUInt32LE(raw.length, 0);
      out.set(raw, 4);
      sock.write(out);
    }));
    sock.destroy();
    await agent.close();
  });
});

function prefix(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length, true);
  out.set(b, 4);
  return out;
}
