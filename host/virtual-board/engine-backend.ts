// The executor interface the virtual board runs bundles on. A backend turns bundle bytes
// into a loaded program; the program runs one inference on int16 tensors and reports the
// engine cycles it took. 'ref' (the TypeScript engine model, sim/ref) and 'rtl' (Verilator) plug in here;
// 'synthetic' is a protocol-test engine, not the accelerator.
export interface TensorSpec {
  name: string;
  dtype: 'int16';
  shape: number[];
  /** Fractional bits of the int16 values (docs/numerics.md). */
  f: number;
  /** Set on a graph output that is an early exit's (an `exit` host op of a partitioned bundle). */
  exit?: true;
}

export interface WireTensor {
  name: string;
  shape: number[];
  data: Int16Array;
}

export interface RunResult {
  /** The graph outputs in manifest order; after an early exit only those computed by then. */
  outputs: WireTensor[];
  cycles: number;
  /** The early exit the run left at (its output's name), when one was taken. */
  exit?: string;
}

export interface RunOptions {
  /** Early exits: leave at an exit whose softmax maximum is at least this (docs/bundle-format.md "Segments"). */
  exitThreshold?: number;
}

export interface LoadedProgram {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** The engine clock of the bundle's hardware config. */
  clockHz: number;
  /** The bundle's model name and config hash (absent for the synthetic engine's bundles, which have no hardware config). */
  model?: string;
  configHash?: string;
  run(inputs: WireTensor[], signal: AbortSignal, opts?: RunOptions): Promise<RunResult>;
  /** Images one start runs (a batch bundle's manifest.batch); absent = 1. */
  batch?: number;
  /** A batch bundle: one start on `batch` images (each the inputs in `inputs` order), every image's outputs in manifest order. */
  runBatch?(images: WireTensor[][], signal: AbortSignal): Promise<BatchRunResult>;
}

export interface BatchRunResult {
  /** Per image, the graph outputs in manifest order. */
  images: WireTensor[][];
  /** Engine cycles of the one start. */
  cycles: number;
}

export interface EngineBackend {
  readonly name: string;
  /**
   * Parses and checks a bundle (its bytes, and the cache file that holds them); throws CnnaError
   * when it is not a valid bundle for this backend.
   */
  load(bundle: Uint8Array, path: string): Promise<LoadedProgram>;
}

export function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
