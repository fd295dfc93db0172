// Fault-injecting relays between the host runtime and a virtual board:
//  - TCP: a loopback proxy (one upstream connection per client connection) that can also cut
//    every connection (disconnect mid-transfer);
//  - serial: a relay between two socat pty pairs (host ↔ [pair 1] ↔ relay ↔ [pair 2] ↔ agent)
//    that can black out the line for a while and pace bytes to a line rate (3 Mbaud = 300,000
//    bytes/s with 10 bits per byte), since a pty itself has no baud rate.
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import { FaultyStream, newCounters, type FaultCounters, type FaultPlan } from './link-faults.ts';
import { openPtyPair, type PtyPair } from './pty-pair.ts';

const NO_FAULTS: FaultPlan = { corruptRate: 0, dropRate: 0, seed: 1 };

export interface TcpFaultProxy {
  port: number;
  counters: FaultCounters;
  up: FaultPlan;
  down: FaultPlan;
  /** Cuts every open connection (counted as one disconnect fault). */
  disconnectAll(): void;
  /** Bytes forwarded host → agent so far (after faults). */
  forwardedUp(): number;
  /**
   * Cuts every connection once the bytes forwarded host → agent pass each of these counts
   * (measured from now). Checked as the bytes are forwarded, so a cut can never be skipped
   * however fast the transfer runs or however late timers fire.
   */
  cutAfterForwarded(offsets: number[]): void;
  /** Cuts planned by cutAfterForwarded that have not happened yet. */
  pendingCuts(): number;
  close(): Promise<void>;
}

export async function startTcpFaultProxy(targetPort: number, o: { up?: FaultPlan; down?: FaultPlan } = {}): Promise<TcpFaultProxy> {
  const counters = newCounters();
  const proxy = { up: o.up ?? NO_FAULTS, down: o.down ?? NO_FAULTS };
  const pairs = new Set<[Socket, Socket]>();
  let up = 0;
  let conn = 0;
  let cutAt: number[] = [];
  const cutAll = () => {
    counters.disconnects++;
    for (const [a, b] of pairs) { a.destroy(); b.destroy(); }
    pairs.clear();
  };
  const server = createServer((client) => {
    conn++;
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const toAgent = new FaultyStream('tcp', { ...proxy.up, seed: proxy.up.seed + conn }, counters);
    const toHost = new FaultyStream('tcp', { ...proxy.down, seed: proxy.down.seed + 7 * conn }, counters);
    client.on('data', (d) => {
      toAgent.plan = proxy.up;
      const b = toAgent.push(d);
      up += b.length;
      if (b.length) upstream.write(b);
      if (cutAt.length && up > cutAt[0]) { cutAt.shift(); cutAll(); }
    });
    upstream.on('data', (d) => { toHost.plan = proxy.down; const b = toHost.push(d); if (b.length) client.write(b); });
    const end = () => { client.destroy(); upstream.destroy(); pairs.delete(pair); };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    counters,
    get up() { return proxy.up; },
    set up(p: FaultPlan) { proxy.up = p; },
    get down() { return proxy.down; },
    set down(p: FaultPlan) { proxy.down = p; },
    disconnectAll: cutAll,
    forwardedUp: () => up,
    cutAfterForwarded(offsets: number[]) { cutAt = offsets.map((o) => up + o); },
    pendingCuts: () => cutAt.length,
    close: () => new Promise<void>((r) => {
      for (const [a, b] of pairs) { a.destroy(); b.destroy(); }
      server.close(() => r());
    }),
  } as TcpFaultProxy;
}

export interface SerialFaultRelay {
  /** Open this path on the host side. */
  hostPath: string;
  /** Serve the virtual board on this path. */
  agentPath: string;
  counters: FaultCounters;
  setPlans(up: FaultPlan, down: FaultPlan): void;
  /** Drops everything in both directions for `ms` (a pulled cable); one fault. */
  blackout(ms: number): void;
  close(): Promise<void>;
}

function openPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const p = new SerialPort({ path, baudRate: 3_000_000, autoOpen: false });
    // a write racing close() ("Port is not open") must not become an uncaught exception
    p.on('error', () => {});
    p.open((e) => (e ? reject(e) : resolve(p)));
  });
}

/** A paced writer: at most `bytesPerSecond` (0 = unlimited), in order. */
function pacedWriter(port: SerialPort, bytesPerSecond: number): (b: Buffer) => void {
  if (!bytesPerSecond) return (b) => { if (port.isOpen) port.write(b); };
  const queue: Buffer[] = [];
  let timer: NodeJS.Timeout | undefined;
  let credit = 0;
  let last = process.hrtime.bigint();
  const pump = () => {
    timer = undefined;
    const now = process.hrtime.bigint();
    credit = Math.min(credit + (Number(now - last) / 1e9) * bytesPerSecond, bytesPerSecond * 0.02);
    last = now;
    if (!port.isOpen) queue.length = 0;
    while (queue.length && credit >= 1) {
      const head = queue[0];
      const n = Math.min(head.length, Math.floor(credit));
      port.write(head.subarray(0, n));
      credit -= n;
      if (n === head.length) queue.shift();
      else queue[0] = head.subarray(n);
    }
    if (queue.length) timer = setTimeout(pump, 1);
  };
  return (b) => {
    queue.push(b);
    if (!timer) timer = setTimeout(pump, 0);
  };
}

export async function startSerialFaultRelay(o: { up?: FaultPlan; down?: FaultPlan; bytesPerSecond?: number } = {}): Promise<SerialFaultRelay> {
  const counters = newCounters();
  const pairs: PtyPair[] = [await openPtyPair(), await openPtyPair()];
  const r1 = await openPort(pairs[0].b);
  const r2 = await openPort(pairs[1].a);
  let toAgent = new FaultyStream('serial', o.up ?? NO_FAULTS, counters);
  let toHost = new FaultyStream('serial', o.down ?? NO_FAULTS, counters);
  let blackoutUntil = 0;
  const writeAgent = pacedWriter(r2, o.bytesPerSecond ?? 0);
  const writeHost = pacedWriter(r1, o.bytesPerSecond ?? 0);
  r1.on('data', (d: Buffer) => { const b = toAgent.push(d); if (b.length && Date.now() >= blackoutUntil) writeAgent(b); });
  r2.on('data', (d: Buffer) => { const b = toHost.push(d); if (b.length && Date.now() >= blackoutUntil) writeHost(b); });
  return {
    hostPath: pairs[0].a,
    agentPath: pairs[1].b,
    counters,
    setPlans(up, down) {
      toAgent = new FaultyStream('serial', up, counters);
      toHost = new FaultyStream('serial', down, counters);
    },
    blackout(ms) { counters.blackouts++; blackoutUntil = Date.now() + ms; },
    close: async () => {
      await Promise.all([r1, r2].map((p) => new Promise<void>((r) => (p.isOpen ? p.close(() => r()) : r()))));
      for (const p of pairs) await p.close();
    },
  };
}
