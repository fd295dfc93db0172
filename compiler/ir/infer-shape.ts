// Shape inference for IR nodes: the single definition of every op's output shape, used by the
// importer (while converting ONNX) and by the passes (after rewriting). Throws E_GRAPH when the
// input shapes do not fit the op, naming the node.

import { CnnaError } from '../errors/cnna-error.ts';
import type { Node, PoolSpec, Shape, Tensor } from './graph.ts';
import { windowOutSize } from './window.ts';

export const MAX_VALUE_ELEMENTS = 2 ** 28;

function bad(node: Node, msg: string): never {
  throw new CnnaError('E_GRAPH', `node '${node.name}' (${node.op}): ${msg}`);
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function fmt(shape: readonly number[] | undefined): string {
  return shape ? `[${shape.join(', ')}]` : '[?]';
}

/** NumPy (multidirectional) broadcast of two shapes, or undefined when they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): Shape | undefined {
  const r = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Output shape of a pooling spec applied to an NCHW shape. */
export function poolShape(node: Node, x: Shape, pool: PoolSpec): Shape {
  if (x.length !== 4) bad(node, `pooling needs a 4-D NCHW input, got ${fmt(x)}`);
  const [n, c, h, w] = x;
  if (pool.kind === 'globalavg' || pool.kind === 'globalmax') return [n, c, 1, 1];
  const oh = windowOutSize(h, pool.kernel[0], pool.strides[0], pool.pads[0], pool.pads[2], pool.dilations[0], pool.ceilMode);
  const ow = windowOutSize(w, pool.kernel[1], pool.strides[1], pool.pads[1], pool.pads[3], pool.dilations[1], pool.ceilMode);
  if (oh < 1 || ow < 1) bad(node, `a ${pool.kernel[0]}x${pool.kernel[1]} pooling window does not fit the input ${fmt(x)} with pads [${pool.pads.join(', ')}]`);
  return [n, c, oh, ow];
}

/**
 * Output shapes of `node` given its input shapes (undefined for an absent optional input).
 * `consts` supplies constant inputs where the op needs their values (none today).
 */
export function inferNodeShapes(node: Node, ins: (Shape | undefined)[], _consts?: Map<string, Tensor>): Shape[] {
  const need = (i: number): Shape => {
    const s = ins[i];
    if (!s) bad(node, `input ${i} ('${node.inputs[i] ?? ''}') is missing or has no known shape`);
    return s;
  };
  const x = need(0);
  let out: Shape;
  switch (node.op) {
    case 'conv': {
      const w = need(1);
      if (x.length !== 4) bad(node, `Conv needs a 4-D NCHW input, got ${fmt(x)}`);
      if (w.length !== 4) bad(node, `Conv weights must be 4-D [M, C/group, kH, kW], got ${fmt(w)}`);
      const [n, c, h, wd] = x;
      const g = node.group;
      if (c % g !== 0 || w[0] % g !== 0) bad(node, `group ${g} must divide the input channels ${c} and the output channels ${w[0]}`);
      if (w[1] * g !== c) bad(node, `weights ${fmt(w)} expect ${w[1] * g} input channels (group ${g}), the input ${fmt(x)} has ${c}`);
      if (w[2] !== node.kernel[0] || w[3] !== node.kernel[1]) bad(node, `kernel_shape [${node.kernel.join(', ')}] does not match weights ${fmt(w)}`);
      if (ins[2] && (ins[2].length !== 1 || ins[2][0] !== w[0])) bad(node, `bias ${fmt(ins[2])} must be [${w[0]}]`);
      const oh = windowOutSize(h, node.kernel[0], node.strides[0], node.pads[0], node.pads[2], node.dilations[0]);
      const ow = windowOutSize(wd, node.kernel[1], node.strides[1], node.pads[1], node.pads[3], node.dilations[1]);
      if (oh < 1 || ow < 1) bad(node, `a ${node.kernel[0]}x${node.kernel[1]} kernel (dilations [${node.dilations.join(', ')}]) does not fit the input ${fmt(x)} with pads [${node.pads.join(', ')}]`);
      out = [n, w[0], oh, ow];
      if (node.pool) out = poolShape(node, out, node.pool);
      break;
    }
    case 'gemm': {
      let a = x;
      if (node.inputLayout) {
        const [c, h, w] = node.inputLayout.chw;
        if (a.length !== 4 || a[1] !== c || a[2] !== h || a[3] !== w) bad(node, `inputLayout chw [${c}, ${h}, ${w}] does not match the input ${fmt(a)}`);
        a = [a[0], c * h * w];
      }
      const b = need(1);
      if (a.length !== 2 || b.length !== 2) bad(node, `Gemm needs 2-D A and B, got ${fmt(a)} and ${fmt(b)}`);
      const [m, k] = node.transA ? [a[1], a[0]] : a;
      const [k2, nn] = node.transB ? [b[1], b[0]] : b;
      if (k !== k2) bad(node, `inner dimensions differ: A ${fmt(a)}${node.transA ? ' (transposed)' : ''} and B ${fmt(b)}${node.transB ? ' (transposed)' : ''}`);
      const cs = ins[2];
      if (cs) {
        const bc = broadcastShapes([m, nn], cs);
        if (!bc || bc[0] !== m || bc[1] !== nn) bad(node, `C ${fmt(cs)} does not broadcast to [${m}, ${nn}]`);
      }
      out = [m, nn];
      break;
    }
    case 'matmul': {
      const b = need(1);
      if (x.length !== 2 || b.length !== 2) bad(node, `MatMul is supported on 2-D operands only, got ${fmt(x)} and ${fmt(b)}`);
      if (x[1] !== b[0]) bad(node, `inner dimensions differ: ${fmt(x)} x ${fmt(b)}`);
      out = [x[0], b[1]];
      break;
    }
    case 'pool': out = poolShape(node, x, node.pool); break;
    case 'activation': case 'identity': case 'dropout': case 'softmax': case 'unary': out = x.slice(); break;
    case 'batchnorm': {
      if (x.length < 2) bad(node, `BatchNormalization needs an input of rank >= 2, got ${fmt(x)}`);
      for (let i = 1; i <= 4; i++) {
        const p = need(i);
        if (p.length !== 1 || p[0] !== x[1]) bad(node, `parameter ${i} ('${node.inputs[i]}') must be [${x[1]}], got ${fmt(p)}`);
      }
      out = x.slice();
      break;
    }
    case 'flatten': {
      if (node.axis < 0 || node.axis > x.length) bad(node, `axis ${node.axis} is out of range for ${fmt(x)}`);
      out = [numel(x.slice(0, node.axis)), numel(x.slice(node.axis))];
      break;
    }
    case 'reshape': {
      out = node.shape.slice();
      // The target was resolved at import batch; at another batch axis 0 follows the input.
      if (numel(out) !== numel(x) && out.length > 0 && x.length > 0 && out[0] !== x[0] && numel(out) / out[0] === numel(x) / x[0]) out[0] = x[0];
      if (numel(out) !== numel(x)) bad(node, `cannot reshape ${fmt(x)} (${numel(x)} elements) to ${fmt(node.shape)}`);
      break;
    }
    case 'transpose': {
      const p = node.perm;
      if (p.length !== x.length || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) bad(node, `perm [${p.join(', ')}] is not a permutation of the ${x.length} axes of ${fmt(x)}`);
      out = p.map((i) => x[i]);
      break;
    }
    case 'add': {
      const b = need(1);
      const s = broadcastShapes(x, b);
      if (!s) bad(node, `shapes ${fmt(x)} and ${fmt(b)} do not broadcast`);
      out = s;
      break;
    }
    case 'binary': {
      const b = need(1);
      if (b.length !== x.length || b.some((d, i) => d !== x[i])) bad(node, `shapes ${fmt(x)} and ${fmt(b)} differ; ${node.fn} of two activations needs equal shapes`);
      out = x.slice();
      break;
    }
    case 'concat': {
      const ax = node.axis;
      if (ax < 0 || ax >= x.length) bad(node, `axis ${ax} is out of range for ${fmt(x)}`);
      out = x.slice();
      for (let i = 1; i < node.inputs.length; i++) {
        const s = need(i);
        if (s.length !== x.length || s.some((d, j) => j !== ax && d !== x[j])) bad(node, `input ${i} ${fmt(s)} does not match ${fmt(x)} outside axis ${ax}`);
        out[ax] += s[ax];
      }
      break;
    }
    case 'pad': {
      if (x.length !== 4) bad(node, `Pad is supported on 4-D NCHW tensors only, got ${fmt(x)}`);
      out = [x[0], x[1], x[2] + node.pads[0] + node.pads[2], x[3] + node.pads[1] + node.pads[3]];
      if (out[2] < 1 || out[3] < 1) bad(node, `pads [${node.pads.join(', ')}] leave an empty tensor`);
      break;
    }
  }
  if (node.op === 'softmax' && (node.axis < 0 || node.axis >= x.length)) bad(node, `axis ${node.axis} is out of range for ${fmt(x)}`);
  if (numel(out) > MAX_VALUE_ELEMENTS) {
    throw new CnnaError('E_LIMIT', `node '${node.name}' (${node.op}): output ${fmt(out)} exceeds the limit of ${MAX_VALUE_ELEMENTS} elements per tensor`);
  }
  return [out];
}
