// An optional WebAssembly SIMD kernel for the hot loop of the float conv (ops/conv.ts): a tile
// of 4 output channels × 4 output pixels over the whole reduction, in float64x2 lanes. Every
// output is computed by exactly the operations of the plain loop in conv.ts, in the same order:
//   acc = bias; for r in 0..red: acc = acc + w[r]·x[r]   (float64, products of float32 values)
// then one rounding to float32. WebAssembly never fuses a multiply-add, so the results are
// bit-identical to the plain loop (wasm-conv.test.ts checks it); set CNNA_FLOAT_KERNEL=js to
// run without it.
//
// The module is assembled below from its opcodes (no toolchain needed), like
// golden/fixed/wasm-dot.ts. Two functions, `conv1` (unit column stride) and `convs` (any
// stride), with the signature (all addresses and strides in bytes):
//   (xp, off, red, wt, bias, out, oh, nx4, rowStep, colStep, sw, chStride)
//   for oy < oh, t < nx4, j < 4, i < 4, with p = xp + oy·rowStep + t·colStep:
//     f32 out[j·chStride + (oy·nx4·4 + 4t + i)·4] =
//       f64 bias[j] + Σ_{r < red} f64 wt[4r + j] · f32 mem[p + off[r] + i·sw]
// off holds red int32 byte offsets; wt holds float64 weights [red][4]; red, oh, nx4 ≥ 1.
//
// A third function, `run(ctl)`, is the work loop shared by every thread: the work items of a
// job (one per image × group × block of 4 output channels) are numbered by a global counter
// in the control block at `ctl` (layout: CTL below); each thread claims the next item with a
// compare-and-swap that never moves the counter past the job's end, computes it with conv1 or
// convs, and counts it done (notifying DONE). The memory is shared, so worker threads (ConvPool)
// instantiate the same module on it and call `run` on the same job; an item is computed by the
// same code whichever thread claims it, so results do not depend on the number of threads.

import { Worker } from 'node:worker_threads';
import { I32, V128, section, sleb, uleb } from '../../../util/wasm-asm.ts';

const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const ADD = 0x6a, MUL = 0x6c, LT_U = 0x49;
const I32_LOAD = (offset: number) => [0x28, 2, ...uleb(offset)];
const F32_LOAD = (offset: number) => [0x2a, 2, ...uleb(offset)];
const F32_STORE = (offset: number) => [0x38, 2, ...uleb(offset)];
const F64_PROMOTE = 0xbb, F32_DEMOTE = 0xb6;
const V_LOAD64_SPLAT = (offset: number) => simd(0x0a, 3, ...uleb(offset));
const V_LOAD64_ZERO = (offset: number) => simd(0x5d, 3, ...uleb(offset));
const F64X2_SPLAT = simd(0x14);
const F64X2_EXTRACT = (lane: number) => simd(0x21, lane);
const F64X2_REPLACE = (lane: number) => simd(0x22, lane);
const F64X2_PROMOTE_LOW = simd(0x5f);
const F64X2_ADD = simd(0xf0), F64X2_MUL = simd(0xf2);
const LOOP = [0x03, 0x40], BLOCK = [0x02, 0x40], IF = [0x04, 0x40], ELSE = 0x05, END = 0x0b;
const BR = (depth: number) => [0x0c, depth];
const BR_IF = (depth: number) => [0x0d, depth];
const SUB = 0x6b, DIV_U = 0x6e, REM_U = 0x70, GE_U = 0x4f, NE = 0x47, EQ = 0x46, DROP = 0x1a;
const I32_LOAD_AT = (word: number) => [0x28, 2, ...uleb(4 * word)];
const ATOMIC = (op: number, word: number) => [0xfe, op, 2, ...uleb(4 * word)];
const ATOMIC_LOAD = (word: number) => ATOMIC(0x10, word);
const ATOMIC_ADD = (word: number) => ATOMIC(0x1e, word);
const ATOMIC_CMPXCHG = (word: number) => ATOMIC(0x48, word);
const ATOMIC_NOTIFY = (word: number) => ATOMIC(0x00, word);

/** Control block words (int32) at address 0 of the kernel memory. */
export const CTL = {
  SEQ: 0, NEXT: 1, DONE: 2, BASE: 3, END: 4, GB: 5, BLOCKS: 6, IMG: 7, GRP: 8, XP: 9, OFF: 10, RED: 11,
  WT: 12, BIAS: 13, OUT: 14, OH: 15, NX4: 16, ROWSTEP: 17, COLSTEP: 18, SW: 19, CHSTRIDE: 20,
} as const;
/** Bytes reserved for the control block. */
export const CTL_BYTES = 128;

/**
 * run(ctl) → items computed: claim items until the job's end; item i (li = i - BASE) is image li / GB, block
 * k = li % GB of group k / BLOCKS: xp = XP + (li / GB)·IMG + (k / BLOCKS)·GRP, weights WT + k·RED·32,
 * biases BIAS + k·32, output OUT + li·4·CHSTRIDE.
 */
function runBody(): number[] {
  const CTLP = 0;
  const [end, i, li, k, count] = [1, 2, 3, 4, 5];
  const p = (word: number) => [...get(CTLP), ...I32_LOAD_AT(word)];
  const args = [
    ...p(CTL.XP), ...get(li), ...p(CTL.GB), DIV_U, ...p(CTL.IMG), MUL, ADD, ...get(k), ...p(CTL.BLOCKS), DIV_U, ...p(CTL.GRP), MUL, ADD,
    ...p(CTL.OFF), ...p(CTL.RED),
    ...p(CTL.WT), ...get(k), ...p(CTL.RED), MUL, ...i32c(32), MUL, ADD,
    ...p(CTL.BIAS), ...get(k), ...i32c(32), MUL, ADD,
    ...p(CTL.OUT), ...get(li), ...p(CTL.CHSTRIDE), MUL, ...i32c(4), MUL, ADD,
    ...p(CTL.OH), ...p(CTL.NX4), ...p(CTL.ROWSTEP), ...p(CTL.COLSTEP), ...p(CTL.SW), ...p(CTL.CHSTRIDE),
  ];
  return [
    1, 5, I32,
    ...get(CTLP), ...ATOMIC_LOAD(CTL.END), ...set(end),
    ...BLOCK, ...LOOP,
    ...get(CTLP), ...ATOMIC_LOAD(CTL.NEXT), ...set(i),
    ...get(i), ...get(end), GE_U, ...BR_IF(1),
    ...get(CTLP), ...get(i), ...get(i), ...i32c(1), ADD, ...ATOMIC_CMPXCHG(CTL.NEXT), ...get(i), NE, ...BR_IF(0),
    ...get(i), ...p(CTL.BASE), SUB, ...set(li),
    ...get(li), ...p(CTL.GB), REM_U, ...set(k),
    ...p(CTL.SW), ...i32c(4), EQ,
    ...IF, ...args, 0x10, 0, ELSE, ...args, 0x10, 1, END,
    ...get(CTLP), ...i32c(1), ...ATOMIC_ADD(CTL.DONE), DROP,
    ...get(CTLP), ...i32c(0x7fffffff), ...ATOMIC_NOTIFY(CTL.DONE), DROP,
    ...get(count), ...i32c(1), ADD, ...set(count),
    ...BR(0),
    END, END,
    ...get(count),
    END,
  ];
}

function convBody(unitStride: boolean): number[] {
  // parameters
  const [XP, OFF, RED, WT, BIAS, OUT, OH, NX4, ROWSTEP, COLSTEP, SW, CHSTRIDE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  // i32 locals
  const [oy, t, rowp, p, q, rp, rend, wq, o, orow] = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  // v128 locals: acc[2j] pixels 0-1 and acc[2j + 1] pixels 2-3 of channel j; xa, xb, w
  const acc = (j: number, half: number) => 22 + 2 * j + half;
  const [xa, xb, w] = [30, 31, 32];
  const xLane = (i: number) => [...get(q), ...(i === 0 ? [] : [...get(SW), ...i32c(i), MUL, ADD]), ...F32_LOAD(0), F64_PROMOTE];
  const loadX = unitStride
    ? [
      ...get(q), ...V_LOAD64_ZERO(0), ...F64X2_PROMOTE_LOW, ...set(xa),
      ...get(q), ...V_LOAD64_ZERO(8), ...F64X2_PROMOTE_LOW, ...set(xb),
    ]
    : [
      ...xLane(0), ...F64X2_SPLAT, ...xLane(1), ...F64X2_REPLACE(1), ...set(xa),
      ...xLane(2), ...F64X2_SPLAT, ...xLane(3), ...F64X2_REPLACE(1), ...set(xb),
    ];
  const mac: number[] = [];
  for (let j = 0; j < 4; j++) {
    mac.push(...get(wq), ...V_LOAD64_SPLAT(8 * j), ...set(w));
    mac.push(...get(acc(j, 0)), ...get(w), ...get(xa), ...F64X2_MUL, ...F64X2_ADD, ...set(acc(j, 0)));
    mac.push(...get(acc(j, 1)), ...get(w), ...get(xb), ...F64X2_MUL, ...F64X2_ADD, ...set(acc(j, 1)));
  }
  const init: number[] = [];
  for (let j = 0; j < 4; j++) {
    init.push(...get(BIAS), ...V_LOAD64_SPLAT(8 * j), ...set(acc(j, 0)), ...get(acc(j, 0)), ...set(acc(j, 1)));
  }
  const store: number[] = [];
  for (let j = 0; j < 4; j++) {
    for (let i = 0; i < 4; i++) {
      store.push(...get(o), ...(j === 0 ? [] : [...get(CHSTRIDE), ...i32c(j), MUL, ADD]));
      store.push(...get(acc(j, i >> 1)), ...F64X2_EXTRACT(i & 1), F32_DEMOTE, ...F32_STORE(4 * i));
    }
  }
  return [
    // locals: 10 i32, 11 v128
    2, 10, I32, 11, V128,
    ...get(OFF), ...get(RED), ...i32c(4), MUL, ADD, ...set(rend),
    ...get(XP), ...set(rowp),
    ...get(OUT), ...set(orow),
    ...i32c(0), ...set(oy),
    ...LOOP, // oy
    ...get(rowp), ...set(p),
    ...get(orow), ...set(o),
    ...i32c(0), ...set(t),
    ...LOOP, // t
    ...init,
    ...get(OFF), ...set(rp),
    ...get(WT), ...set(wq),
    ...LOOP, // r
    ...get(p), ...get(rp), ...I32_LOAD(0), ADD, ...set(q),
    ...loadX,
    ...mac,
    ...get(rp), ...i32c(4), ADD, ...set(rp),
    ...get(wq), ...i32c(32), ADD, ...set(wq),
    ...get(rp), ...get(rend), LT_U, ...BR_IF(0),
    END,
    ...store,
    ...get(p), ...get(COLSTEP), ADD, ...set(p),
    ...get(o), ...i32c(16), ADD, ...set(o),
    ...get(t), ...i32c(1), ADD, ...set(t),
    ...get(t), ...get(NX4), LT_U, ...BR_IF(0),
    END,
    ...get(rowp), ...get(ROWSTEP), ADD, ...set(rowp),
    ...get(orow), ...get(NX4), ...i32c(16), MUL, ADD, ...set(orow),
    ...get(oy), ...i32c(1), ADD, ...set(oy),
    ...get(oy), ...get(OH), LT_U, ...BR_IF(0),
    END,
    END,
  ];
}

/** Largest memory, in 64 KiB pages (4 GiB, all of wasm32); a shared memory must declare one. */
const MAX_PAGES = 65536;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const name = (s: string) => [...uleb(s.length), ...Buffer.from(s)];
  const code = [convBody(true), convBody(false), runBody()].flatMap((b) => [...uleb(b.length), ...b]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, 12, ...new Array(12).fill(I32), 0, 0x60, 1, I32, 1, I32]),
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, 0x03, 1, ...uleb(MAX_PAGES)]),
    ...section(3, [3, 0, 0, 1]),
    ...section(7, [3, ...name('conv1'), 0x00, 0, ...name('convs'), 0x00, 1, ...name('run'), 0x00, 2]),
    ...section(10, [3, ...code]),
  ]);
}

type RunFn = (ctl: number) => number;

/** The compiled module and its shared memory; one per thread that runs convs, created on first use. */
export class ConvKernel {
  readonly run: RunFn;
  private pool: ConvPool | null = null;
  /** Set when helpers stalled: this kernel is not used again. */
  retired = false;
  /** Items of the last job that helper threads computed. */
  lastHelperItems = 0;
  /** Tests only: this thread claims no item, so the helpers must compute the whole job. */
  helpersOnly = false;
  /** Milliseconds without progress after which the helpers are taken for dead. */
  stallMs = 120_000;

  private constructor(readonly module: WebAssembly.Module, readonly mem: WebAssembly.Memory) {
    const inst = new WebAssembly.Instance(module, { env: { mem } });
    this.run = inst.exports.run as RunFn;
  }

  /** A kernel, or null when WebAssembly SIMD or threads are unavailable. */
  static create(): ConvKernel | null {
    try {
      const mem = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      return new ConvKernel(new WebAssembly.Module(moduleBytes()), mem);
    } catch {
      return null;
    }
  }

  /** Grows the memory to at least `bytes`; returns its buffer (views made before keep their length). */
  buffer(bytes: number): SharedArrayBuffer {
    const have = this.mem.buffer.byteLength;
    if (bytes > have) this.mem.grow(Math.ceil((bytes - have) / 65536));
    return this.mem.buffer as unknown as SharedArrayBuffer;
  }

  /** Tests only: terminates the helpers (as if they died); later jobs on threads > 1 stall. */
  async killHelpers(): Promise<void> {
    await this.pool?.close();
  }

  /**
   * Runs the job whose parameters are in the control block (all but SEQ, NEXT, DONE, BASE, END)
   * on this thread and `threads - 1` helpers; returns true when all `items` are done, false if
   * the helpers stalled. With helpers, this thread first calls `background` until it returns
   * false or the helpers have finished the job.
   */
  runJob(items: number, threads: number, background?: () => boolean): boolean {
    const ctl = new Int32Array(this.buffer(CTL_BYTES), 0, CTL_BYTES / 4);
    const base = Atomics.load(ctl, CTL.NEXT);
    ctl[CTL.BASE] = base;
    Atomics.store(ctl, CTL.END, base + items);
    const pool = threads > 1 ? (this.pool ??= new ConvPool(this, threads - 1)) : null;
    if (pool) {
      Atomics.add(ctl, CTL.SEQ, 1);
      Atomics.notify(ctl, CTL.SEQ);
    }
    // Background work first, while the helpers compute; then this thread joins the job.
    if (pool && background) while (Atomics.load(ctl, CTL.DONE) < base + items && background());
    const mine = pool && this.helpersOnly ? 0 : this.run(0);
    this.lastHelperItems = items - mine;
    // A helper may hold claimed items, of this job even when it was started for an earlier one
    // (one that booted late), so every job waits for all its items. If the helpers make no
    // progress for stallMs (a helper that died), the job is given up (false: the caller computes
    // the conv in plain TypeScript, same values), the kernel is retired (convKernel makes a new
    // one on a new memory) and its helpers are terminated.
    let seen = Atomics.load(ctl, CTL.DONE);
    let since = Date.now();
    while (seen < base + items) {
      Atomics.wait(ctl, CTL.DONE, seen, Math.min(1000, this.stallMs));
      const now = Atomics.load(ctl, CTL.DONE);
      if (now !== seen) { seen = now; since = Date.now(); continue; }
      if (Date.now() - since > this.stallMs) {
        this.retired = true;
        void this.pool?.close();
        return false;
      }
    }
    return true;
  }
}

/**
 * Helper threads for ConvKernel.runJob: plain-JavaScript workers (no TypeScript loader, so they
 * start in milliseconds) that instantiate the kernel's module on its shared memory and call `run`
 * each time SEQ changes. Unreferenced: they never keep the process alive.
 */
class ConvPool {
  private workers: Worker[] = [];

  constructor(kernel: ConvKernel, helpers: number) {
    const code = `
      const { workerData } = require('node:worker_threads');
      const { module, mem } = workerData;
      const run = new WebAssembly.Instance(module, { env: { mem } }).exports.run;
      const ctl = new Int32Array(mem.buffer, 0, ${CTL_BYTES / 4});
      for (let seen = Atomics.load(ctl, ${CTL.SEQ});;) {
        run(0);
        Atomics.wait(ctl, ${CTL.SEQ}, seen);
        seen = Atomics.load(ctl, ${CTL.SEQ});
      }`;
    for (let h = 0; h < helpers; h++) {
      const w = new Worker(code, { eval: true, workerData: { module: kernel.module, mem: kernel.mem } });
      w.unref();
      w.on('error', () => {});
      this.workers.push(w);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

let kernel: ConvKernel | null | undefined;

/** This thread's kernel (null when unavailable, or disabled by CNNA_FLOAT_KERNEL=js at the call). */
export function convKernel(): ConvKernel | null {
  if (process.env.CNNA_FLOAT_KERNEL === 'js') return null;
  if (kernel === undefined || kernel?.retired) kernel = ConvKernel.create();
  return kernel;
}
