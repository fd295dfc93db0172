// Fault injection on a framed byte stream, for the link-fault tests and the link benchmark.
// Frames are cut on the clean stream (0x00 delimiters for serial, u32 length prefixes for
// TCP); then a frame may be dropped whole (when it matches the drop filter) and every byte
// that passes may be flipped with probability `corruptRate`. A seeded PRNG makes runs
// reproducible; counters report how many faults were injected.
import { cobsDecode } from '../../../host/protocol/cobs.ts';

export interface FaultPlan {
  corruptRate: number;
  dropRate: number;
  /** Which frames may be dropped (by message type code; all when absent). */
  dropTypes?: number[];
  seed: number;
}

export interface FaultCounters { corruptedBytes: number; droppedFrames: number; disconnects: number; restarts: number; blackouts: number }

export function newCounters(): FaultCounters {
  return { corruptedBytes: 0, droppedFrames: 0, disconnects: 0, restarts: 0, blackouts: 0 };
}

export function totalFaults(c: FaultCounters): number {
  return c.corruptedBytes + c.droppedFrames + c.disconnects + c.restarts + c.blackouts;
}

export function prng(seed: number): () => number {
  let s = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0 || 1;
  s ^= s >>> 13;
  s = Math.imul(s, 0xc2b2ae35) >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

/** A per-direction transformer: push clean bytes, get the (faulty) bytes to forward. */
export class FaultyStream {
  private pending: Buffer = Buffer.alloc(0);
  private readonly rand: () => number;
  plan: FaultPlan;

  constructor(private readonly framing: 'serial' | 'tcp', plan: FaultPlan, private readonly counters: FaultCounters) {
    this.plan = plan;
    this.rand = prng(plan.seed);
  }

  push(chunk: Uint8Array): Buffer {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const out: Buffer[] = [];
    for (;;) {
      let frameEnd: number;
      let typeCode: number | undefined;
      if (this.framing === 'serial') {
        const z = this.pending.indexOf(0);
        if (z < 0) break;
        frameEnd = z + 1;
        typeCode = cobsDecode(this.pending.subarray(0, z))?.[1];
      } else {
        if (this.pending.length < 4) break;
        const len = this.pending.readUInt32LE(0);
        if (this.pending.length < 4 + len) break;
        frameEnd = 4 + len;
        typeCode = this.pending[5];
      }
      const frame = this.pending.subarray(0, frameEnd);
      this.pending = this.pending.subarray(frameEnd);
      const droppable = !this.plan.dropTypes || (typeCode !== undefined && this.plan.dropTypes.includes(typeCode));
      if (droppable && this.plan.dropRate > 0 && this.rand() < this.plan.dropRate) {
        this.counters.droppedFrames++;
        continue;
      }
      out.push(this.corrupt(Buffer.from(frame)));
    }
    return Buffer.concat(out);
  }

  private corrupt(b: Buffer): Buffer {
    const rate = this.plan.corruptRate;
    if (rate <= 0) return b;
    let i = Math.floor(Math.log(1 - this.rand()) / Math.log(1 - rate));
    while (i < b.length) {
      b[i] ^= 1 + Math.floor(this.rand() * 255);
      this.counters.corruptedBytes++;
      i += 1 + Math.floor(Math.log(1 - this.rand()) / Math.log(1 - rate));
    }
    return b;
  }
}
