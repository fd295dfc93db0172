// The quantized model: the optimized graph plus every fixed-point decision the quantizer
// made. It is what the fixed-point golden model executes and what the back end compiles
// into a bundle. The rules that give these numbers meaning are in docs/numerics.md.
//
// Invariants:
//  - every value name in graph.shapes has an activation format in `formats` (fractional
//    bits f of its int16 data), except outputs of a host tail (softmax), which are float;
//  - for a conv or gemm node whose weight is a constant, `weights` holds its int16 weights in
//    the ONNX layout of that weight ([M, C/group, kh, kw] for conv; as stored for gemm, with
//    alpha already folded in) and `biases` holds int48 biases at f_in + f_w[m], stored
//    exactly in a Float64Array (|b| < 2^47 < 2^53);
//  - `wf` has one entry per output channel when per-channel scaling is on, else one entry.
import type { Graph } from '../../ir/graph.ts';

export interface QuantizedWeights {
  /** int16 weights, same element order as the float initializer. */
  q: Int16Array;
  dims: number[];
  /** Fractional bits: length 1 (per layer) or length M (per output channel). */
  wf: number[];
}

export interface QuantizedBias {
  /**
   * Integer values at f_acc = f_in + wf[m]; exact integers held in float64. One per output
   * channel, except for a Gemm whose C varies by row (ONNX conformance cases only): R·N values,
   * row-major.
   */
  q: Float64Array;
}

export interface LayerReport {
  node: string;
  op: string;
  /** Activation output format, as Qm.n. */
  format: string;
  f: number;
  weightF?: number[];
  /** f_w was lowered so that bias and product sum fit the 48-bit accumulator (docs/numerics.md "Accumulator bound"). */
  accCapped?: boolean;
  /** Float value range seen in calibration. */
  min: number;
  max: number;
  /** Values that saturated when the calibration data ran through the fixed-point model. */
  saturated: number;
  total: number;
  /** Signal-to-quantization-noise ratio of this node's output against float, in dB. */
  sqnrDb: number;
}

export interface QuantizedModel {
  graph: Graph;
  /** Fractional bits of each activation value (graph inputs included). */
  formats: Map<string, number>;
  /** Keyed by node name (conv / gemm with a constant weight). */
  weights: Map<string, QuantizedWeights>;
  biases: Map<string, QuantizedBias>;
  /** Keyed by node name: int16 copies of other constant operands (e.g. an Add with a constant). */
  constants: Map<string, { q: Int16Array; dims: number[]; f: number }>;
  /**
   * Keyed by node name: the int16 weights of a scaled Add (AddNode.scales), w[i] at format
   * fAcc − f_in[i], so that both products share the accumulator format fAcc (docs/numerics.md "Add").
   */
  addScales?: Map<string, { w: [number, number]; fAcc: number }>;
  /** How it was quantized; `calibration` describes the data (or 'none'). weightFormat absent = 'auto'. */
  options: { format: 'auto' | number; perChannel: boolean; calibration: string; weightFormat?: 'auto' | number; trainedFormats?: boolean };
  report: LayerReport[];
}
