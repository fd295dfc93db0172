// Shared state of one back-end run: the config, the params blob under construction, the
// descriptor list, activation tensors by value name, and the E_FIT helper.
import type { HwConfig } from '../contracts/hw-config.ts';
import { emptyDescriptor, type ActLayout, type Descriptor, type ManifestLayer } from '../contracts/bundle-format.ts';
import { CnnaError } from '../errors/cnna-error.ts';
import { Arena, align } from './act-alloc.ts';
import { blockSpecBytes, buildWeightBlock, type BlockSpec } from './weight-block.ts';

/** An activation value in DDR: its tensor, format and how the ONNX shape maps onto it. */
export interface DdrValue {
  t: ActLayout;
  f: number;
  shape: number[];
  order: 'nchw' | 'vector' | 'chw-flat';
  /**
   * A concat of flattened tensors (SPP heads): the parts sit one after another as dense
   * NCHW16c tensors, part i starting at channel group `group` of t (t is a vector of cg
   * groups). Only an FC layer reads such a value; its weights follow the parts.
   */
  parts?: { c: number; h: number; w: number; group: number }[];
}

/**
 * Cycles of one layer's planned jobs (in program order) run alone on an idle engine: what the back end's
 * Winograd/direct choice compares. The performance model provides it (sim/perf `perfLayerCycles`); the
 * compiler cannot import it, so its callers pass it in (CompileOptions.layerCycles).
 */
export type LayerCycleModel = (jobs: Descriptor[]) => number;

/** How the back end picks Winograd jobs on a config with array.winograd (CompileOptions.winograd). */
export type WinogradMode = 'auto' | 'always' | 'never';

export class Params {
  private parts: Uint8Array[] = [];
  size = 0;
  private cache = new Map<string, number>();

  /**
   * Append a block (32-aligned, actually 64); returns its offset inside the params region. A number is
   * a block of that many bytes whose contents are not kept (layout-only compiles).
   */
  add(bytes: Uint8Array | number, key?: string): number {
    if (key && this.cache.has(key)) return this.cache.get(key)!;
    const off = this.size;
    const n = typeof bytes === 'number' ? bytes : bytes.length;
    if (typeof bytes !== 'number') this.parts.push(bytes);
    this.size = align(off + n);
    const pad = this.size - off - n;
    if (pad && typeof bytes !== 'number') this.parts.push(new Uint8Array(pad));
    if (key) this.cache.set(key, off);
    return off;
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

export interface JobDraft extends Descriptor {
  /** Params-relative weight address, resolved when the memory map is known. */
}

export class BackendContext {
  readonly pi: number;
  readonly po: number;
  readonly params = new Params();
  /** Jobs with wAddr relative to the params region and activation addresses relative to the arena. */
  readonly jobs: Descriptor[] = [];
  readonly layers: ManifestLayer[] = [];
  readonly values = new Map<string, DdrValue>();
  /** The activation arena (offsets relative to its start). */
  readonly arena = new Arena();

  /**
   * layoutOnly: weight blocks are sized, not built (descriptors and memory map only). batch: images per
   * start; every activation tensor then holds `batch` copies, `imageStride` bytes apart.
   */
  constructor(
    readonly config: HwConfig, readonly layoutOnly = false, readonly winograd: WinogradMode = 'auto', readonly batch = 1,
    /** The cycle model the Winograd/direct choice compares a layer's plans with (CompileOptions.layerCycles). */
    readonly layerCycles?: LayerCycleModel,
  ) {
    this.pi = config.array.pi;
    this.po = config.array.po;
  }

  /** A weight block for `params.add`: its bytes, or only its size in a layout-only compile. */
  weightBlock(s: BlockSpec): Uint8Array | number {
    return this.layoutOnly ? blockSpecBytes(s) : buildWeightBlock(s);
  }

  /** Place tensor t in the arena: one copy per image (imageStride apart when batch > 1). */
  allocTensor(t: ActLayout): void {
    const bytes = align(t.cg * t.cgStride);
    if (this.batch > 1) t.imageStride = bytes;
    t.offset = this.arena.alloc(bytes * this.batch);
  }

  /** Arena bytes of tensor t with all its image copies. */
  tensorBytes(t: ActLayout): number {
    return align(t.cg * t.cgStride) * this.batch;
  }

  newJob(): Descriptor {
    return emptyDescriptor();
  }

  fit(layer: string, what: string, need: number, unit: string, buffer: string, field: string, limit: number): CnnaError {
    return new CnnaError('E_FIT', `layer '${layer}': ${what} needs ${need} ${unit}, the ${buffer} holds ${limit} (buffers.${field})`, {
      hint: `use a config with a larger buffers.${field} (--config FILE), or change the layer`,
    });
  }
}
