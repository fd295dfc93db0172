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
}

export interface WireTensor {
  name: string;
  shape: number[];
  data: Int16Array;
}

export interface RunResult {
  outputs: WireTensor[];
  cycles: number;
}

export interface LoadedProgram {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** The engine clock of the bundle's hardware config. */
  clockHz: number;
  /** The bundle's model name and config hash (absent for the synthetic engine's bundles, which have no hardware config). */
  model?: string;
  configHash?: string;
  run(inputs: WireTensor[], signal: AbortSignal): Promise<RunResult>;
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
