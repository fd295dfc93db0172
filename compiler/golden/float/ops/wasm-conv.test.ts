import { afterEach, describe, expect, it } from 'vitest';
import type { ConvNode } from '../../../ir/graph.ts';
import { windowOutSize } from '../../../ir/window.ts';
import { prng } from '../../../onnx/sample-models.ts';
import { conv2d } from './conv.ts';
import { convKernel } from './wasm-conv.ts';

/** conv2d on the plain TypeScript loop (CNNA_FLOAT_KERNEL=js). */
function plain(...a: Parameters<typeof conv2d>): Float32Array {
  process.env.CNNA_FLOAT_KERNEL = 'js';
  try { return conv2d(...a); } finally { delete process.env.CNNA_FLOAT_KERNEL; }
}

function sameBits(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  let bad = -1;
  for (let i = 0; i < a.length && bad < 0; i++) if (a[i] !== b[i]) bad = i;
  expect(bad, `${what}: first differing element ${bad} (${got[bad]} vs ${want[bad]})`).toBe(-1);
}

describe('float conv WebAssembly SIMD kernel', () => {
  afterEach(() => { delete process.env.CNNA_FLOAT_KERNEL; });

  it('is available on Node 20 (WebAssembly SIMD)', () => {
    expect(convKernel()).not.toBeNull();
  });

  it('is bit-identical to the plain loop on 300 random configs (strides, dilations, groups, odd widths, no bias)', () => {
    const r = prng(7);
    const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
    let checked = 0;
    for (let t = 0; t < 300; t++) {
      const group = [1, 1, 2, 3][int(0, 3)];
      const cg = int(1, 9), mg = int(1, 11);
      const node: ConvNode = {
        op: 'conv', name: 'c', inputs: [], outputs: [], group,
        kernel: [int(1, 5), int(1, 5)], strides: [int(1, 3), int(1, 3)], dilations: [int(1, 2), int(1, 2)],
        pads: [int(0, 2), int(0, 2), int(0, 2), int(0, 2)],
      };
      const xs = [int(1, 3), group * cg, int(3, 17), int(3, 17)];
      const ws = [group * mg, cg, ...node.kernel];
      const oh = windowOutSize(xs[2], node.kernel[0], node.strides[0], node.pads[0], node.pads[2], node.dilations[0]);
      const ow = windowOutSize(xs[3], node.kernel[1], node.strides[1], node.pads[1], node.pads[3], node.dilations[1]);
      if (oh < 1 || ow < 1) continue;
      const os = [xs[0], ws[0], oh, ow];
      // Values with full float32 mantissas and mixed signs and magnitudes, so that any change of
      // summation order or precision shows in the last bit.
      const x = Float32Array.from({ length: xs.reduce((a, b) => a * b) }, () => (r() * 2 - 1) * 2 ** int(-6, 6));
      const w = Float32Array.from({ length: ws.reduce((a, b) => a * b) }, () => (r() * 2 - 1) * 2 ** int(-6, 3));
      const b = r() < 0.7 ? Float32Array.from({ length: ws[0] }, () => r() * 4 - 2) : undefined;
      sameBits(conv2d(x, xs, w, ws, b, node, os), plain(x, xs, w, ws, b, node, os), `config ${t} ${JSON.stringify({ xs, ws, node })}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(250);
  });

  // A VGG-sized layer (3×3, 64 → 64 channels, 56×56, 116 M MACs: big enough for helper threads)
  // and a strided one with 2 images and 6 output channels (a partial block).
  const layers = [
    { xs: [1, 64, 56, 56], ws: [64, 64, 3, 3], strides: [1, 1], os: [1, 64, 56, 56] },
    { xs: [2, 48, 57, 57], ws: [6, 48, 5, 5], strides: [2, 2], os: [2, 6, 28, 28] },
  ];
  const layer = (i: number) => {
    const { xs, ws, strides, os } = layers[i];
    const r = prng(11 + i);
    const node: ConvNode = { op: 'conv', name: 'c', inputs: [], outputs: [], group: 1, kernel: [ws[2], ws[3]], strides: strides as [number, number], dilations: [1, 1], pads: [1, 1, 1, 1] };
    const x = Float32Array.from({ length: xs.reduce((a, b) => a * b) }, () => Math.max(0, r() * 2 - 0.5));
    const w = Float32Array.from({ length: ws.reduce((a, b) => a * b) }, () => (r() * 2 - 1) * 0.06);
    const b = Float32Array.from({ length: ws[0] }, () => r() - 0.5);
    return [x, xs, w, ws, b, node, os] as const;
  };

  it('is bit-identical on big layers, on 1 and on 2 threads', () => {
    for (let i = 0; i < layers.length; i++) {
      const want = plain(...layer(i));
      sameBits(conv2d(...layer(i)), want, `layer ${i}, 1 thread`);
      sameBits(conv2d(...layer(i), { threads: 2 }), want, `layer ${i}, 2 threads`);
    }
  });

  it('helper threads compute a whole job bit-identically when this thread claims no item', () => {
    const k = convKernel()!;
    k.helpersOnly = true;
    try {
      for (let i = 0; i < layers.length; i++) {
        const got = conv2d(...layer(i), { threads: 2 });
        const items = layers[i].xs[0] * Math.ceil(layers[i].ws[0] / 4);
        expect(k.lastHelperItems, `layer ${i}`).toBe(items);
        sameBits(got, plain(...layer(i)), `layer ${i}, helpers only`);
      }
    } finally {
      k.helpersOnly = false;
    }
  });

  it('helpers that died: the job is given up, the conv falls back to the plain loop (same bits) and a new kernel takes over', async () => {
    const k = convKernel()!;
    conv2d(...layer(0), { threads: 2 });
    await k.killHelpers();
    k.helpersOnly = true;
    k.stallMs = 200;
    try {
      sameBits(conv2d(...layer(1), { threads: 2 }), plain(...layer(1)), 'after the stall');
      expect(k.retired).toBe(true);
    } finally {
      k.helpersOnly = false;
    }
    const fresh = convKernel();
    expect(fresh).not.toBe(k);
    sameBits(conv2d(...layer(0), { threads: 2 }), plain(...layer(0)), 'on the new kernel');
  });
});
