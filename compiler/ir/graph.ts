// The graph IR: the bottom layer of cnna, shared by the importer, the passes, the quantizer,
// the golden model and the back end. Nodes are a discriminated union on `op`, with attributes
// already normalized from ONNX (every pad is [top, left, bottom, right], every kernel is 2-D).
//
// Invariants:
//  - tensors are NCHW (4-D activations) or N×F (2-D); the batch axis is always axis 0;
//  - every value name that a node reads is a graph input, an initializer or the output of an
//    earlier node (nodes are kept in topological order);
//  - `shapes` holds the inferred shape of every value, batch included;
//  - constants are float32; integer constants that only shape the graph (Reshape's shape,
//    Pad's pads) are moved into attributes by the importer.

export type Shape = number[];

/** A constant tensor (an ONNX initializer after import). Row-major, ONNX layout. */
export interface Tensor {
  dims: Shape;
  data: Float32Array;
}

export interface ValueInfo {
  name: string;
  shape: Shape;
}

export type Activation =
  | { kind: 'relu' }
  | { kind: 'leaky'; alpha: number }
  | { kind: 'clip'; min: number; max: number };

/** A 2-D window: pads are [top, left, bottom, right]. */
export interface Window {
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
}

export type PoolSpec =
  | ({ kind: 'max'; ceilMode: boolean } & Window)
  | ({ kind: 'avg'; ceilMode: boolean; countIncludePad: boolean } & Window)
  | { kind: 'globalavg' }
  | { kind: 'globalmax' };

interface NodeBase {
  /** Unique, taken from ONNX when present, else `${op}_${index}`. */
  name: string;
  inputs: string[];
  outputs: string[];
}

/**
 * Conv: inputs [x, W, B?]. After the fuse pass it may carry an activation and a pool
 * that run, in that order, on the requantized output (DESIGN.md "fused post-op pipeline").
 */
export interface ConvNode extends NodeBase, Window {
  op: 'conv';
  group: number;
  activation?: Activation;
  pool?: PoolSpec;
}

/**
 * Gemm: Y = alpha·A'·B' + beta·C. The FC form the back end maps has alpha = beta = 1,
 * transA = false, transB = true (B is [out, in]) and a constant B and C.
 * `inputLayout` records a Flatten/Reshape that the flatten pass removed: the FC input is
 * really a [C, H, W] tensor flattened in CHW order.
 */
export interface GemmNode extends NodeBase {
  op: 'gemm';
  alpha: number;
  beta: number;
  transA: boolean;
  transB: boolean;
  activation?: Activation;
  inputLayout?: { chw: [number, number, number] };
}

export interface MatMulNode extends NodeBase { op: 'matmul' }
export interface PoolNode extends NodeBase { op: 'pool'; pool: PoolSpec }
export interface ActivationNode extends NodeBase { op: 'activation'; activation: Activation }
export interface BatchNormNode extends NodeBase { op: 'batchnorm'; epsilon: number }
export interface FlattenNode extends NodeBase { op: 'flatten'; axis: number }
/** Reshape with its target shape resolved (no 0 or -1 left). */
export interface ReshapeNode extends NodeBase { op: 'reshape'; shape: Shape }
export interface TransposeNode extends NodeBase { op: 'transpose'; perm: number[] }
/**
 * Elementwise add with NumPy broadcasting; may carry a fused ReLU (residual blocks). `scales`
 * [sa, sb] (set by the fuse-scaled-add pass, same-shape inputs only) make it sa·a + sb·b, as in
 * mixed pooling α·max + (1−α)·avg.
 */
export interface AddNode extends NodeBase { op: 'add'; activation?: Activation; scales?: [number, number] }
export interface ConcatNode extends NodeBase { op: 'concat'; axis: number }
/** Softmax. `coerce2d` is the opset < 13 rule: flatten to 2-D at `axis`, softmax each row. */
export interface SoftmaxNode extends NodeBase { op: 'softmax'; axis: number; coerce2d: boolean }
/** Elementwise functions without an engine mapping; they run as host ops (one 16-bit lookup table each, docs/numerics.md "Host ops"). */
export type UnaryFn = 'sigmoid' | 'tanh' | 'exp' | 'abs' | 'sign' | 'pow';
export const UNARY_FNS: readonly UnaryFn[] = ['sigmoid', 'tanh', 'exp', 'abs', 'sign', 'pow'];
/** Sigmoid, Tanh, Exp, Abs, Sign; Pow by a constant scalar `exponent`. */
export interface UnaryNode extends NodeBase { op: 'unary'; fn: UnaryFn; exponent?: number }
/** Mul or Div of two activations of the same shape (SoftPool, LpPool exports); host ops (docs/numerics.md "Host ops"). */
export interface BinaryNode extends NodeBase { op: 'binary'; fn: 'mul' | 'div' }
export interface IdentityNode extends NodeBase { op: 'identity' }
export interface DropoutNode extends NodeBase { op: 'dropout' }
/** Constant padding of a 4-D tensor's spatial axes: pads are [top, left, bottom, right]. */
export interface PadNode extends NodeBase { op: 'pad'; pads: [number, number, number, number]; value: number }

export type Node =
  | ConvNode | GemmNode | MatMulNode | PoolNode | ActivationNode | BatchNormNode
  | FlattenNode | ReshapeNode | TransposeNode | AddNode | ConcatNode | SoftmaxNode
  | IdentityNode | DropoutNode | PadNode | UnaryNode | BinaryNode;

export type OpName = Node['op'];

export interface Graph {
  name: string;
  /** Opset of the default ONNX domain the model was exported with. */
  opset: number;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, Tensor>;
  nodes: Node[];
  shapes: Map<string, Shape>;
  /** The ONNX model's metadata_props (e.g. `cnna.formats`, written by cnna train), when it has any. */
  metadata?: Record<string, string>;
}
