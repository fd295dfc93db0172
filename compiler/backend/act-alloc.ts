// DDR layout and allocation of activation tensors (NCHW16c planes, docs/bundle-format.md).
// Tensors are placed in one arena by first-fit with liveness: a tensor's bytes are reused once
// its last reader has run. Graph inputs and outputs are never reused.
//
// Invariants: every tensor offset is a multiple of ADDR_ALIGN; planes are contiguous
// (cgStride = h·rowStride), so a tensor is also a flat vector of cg·h·w·PI int16.
import { ADDR_ALIGN, type ActLayout } from '../contracts/bundle-format.ts';

export function align(n: number, a = ADDR_ALIGN): number {
  return Math.ceil(n / a) * a;
}

/** Layout of a C×H×W tensor at offset 0 (the allocator sets the offset). */
export function planeLayout(pi: number, c: number, h: number, w: number): ActLayout {
  const cg = Math.ceil(c / pi);
  const rowStride = w * pi * 2;
  return { offset: 0, c, h, w, cg, rowStride, cgStride: h * rowStride };
}

export function layoutBytes(t: ActLayout): number {
  return t.cg * t.cgStride;
}

interface Block { offset: number; size: number }

/** First-fit arena allocator; offsets are relative to the arena start. */
export class Arena {
  private free: Block[] = [];
  top = 0;

  alloc(size: number): number {
    const s = align(size);
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size >= s) {
        const off = b.offset;
        if (b.size === s) this.free.splice(i, 1);
        else { b.offset += s; b.size -= s; }
        return off;
      }
    }
    const off = this.top;
    this.top += s;
    return off;
  }

  release(offset: number, size: number): void {
    this.free.push({ offset, size: align(size) });
    this.free.sort((a, b) => a.offset - b.offset);
    const merged: Block[] = [];
    for (const b of this.free) {
      const last = merged[merged.length - 1];
      if (last && last.offset + last.size === b.offset) last.size += b.size;
      else merged.push({ ...b });
    }
    this.free = merged;
  }
}
