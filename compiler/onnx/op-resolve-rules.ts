// The op table: one row per [opType, domain, opset range, attributes, converter]. The importer
// resolves every ONNX node here, so an unsupported op or opset fails in exactly one place.

import type { ConvertResult, OpContext } from './op-context.ts';
import { addAttrs, convertAdd } from './ops/add.ts';
import { averagePoolAttrs, convertAveragePool } from './ops/average-pool.ts';
import { batchNormAttrs, convertBatchNorm } from './ops/batch-normalization.ts';
import { castAttrs, convertCast } from './ops/cast.ts';
import { convertClip } from './ops/clip.ts';
import { convertConcat } from './ops/concat.ts';
import { convertDiv, convertMul, convertSub } from './ops/const-arith.ts';
import { constantAttrs, convertConstant } from './ops/constant.ts';
import { convAttrs, convertConv } from './ops/conv.ts';
import { convertDropout, dropoutAttrs } from './ops/dropout.ts';
import { convertFlatten } from './ops/flatten.ts';
import { convertGather } from './ops/gather.ts';
import { convertConstantOfShape } from './ops/constant-of-shape.ts';
import { convertSlice } from './ops/slice.ts';
import { convertGemm, gemmAttrs } from './ops/gemm.ts';
import { convertGlobalAveragePool, convertGlobalMaxPool } from './ops/global-pool.ts';
import { convertIdentity } from './ops/identity.ts';
import { convertLeakyRelu } from './ops/leaky-relu.ts';
import { convertMatMul } from './ops/mat-mul.ts';
import { convertMaxPool, maxPoolAttrs } from './ops/max-pool.ts';
import { convertPad } from './ops/pad.ts';
import { convertReduceMean, reduceMeanAttrs } from './ops/reduce-mean.ts';
import { convertRelu } from './ops/relu.ts';
import { convertReshape } from './ops/reshape.ts';
import { convertShape } from './ops/shape.ts';
import { convertSoftmax } from './ops/softmax.ts';
import { convertTranspose } from './ops/transpose.ts';
import { convertSqueeze, convertUnsqueeze } from './ops/unsqueeze.ts';
import { convertPow, convertUnary } from './ops/unary.ts';

export type Converter = (ctx: OpContext) => ConvertResult;
/** [opType, domain, [first opset, last opset], accepted attributes, converter]. */
export type OpRule = readonly [string, string, readonly [number, number], readonly string[], Converter];

/** Newest default-domain opset cnna accepts. */
export const MAX_OPSET = 21;
const ANY: readonly [number, number] = [1, MAX_OPSET];
const LEGACY = ['consumed_inputs'];

export const OP_RESOLVE_RULES: readonly OpRule[] = [
  ['Conv', '', ANY, convAttrs, convertConv],
  ['MaxPool', '', ANY, maxPoolAttrs, convertMaxPool],
  ['AveragePool', '', ANY, averagePoolAttrs, convertAveragePool],
  ['GlobalAveragePool', '', ANY, [], convertGlobalAveragePool],
  ['GlobalMaxPool', '', ANY, [], convertGlobalMaxPool],
  ['Gemm', '', ANY, gemmAttrs, convertGemm],
  ['MatMul', '', ANY, [], convertMatMul],
  ['Relu', '', ANY, LEGACY, convertRelu],
  ['LeakyRelu', '', ANY, ['alpha', ...LEGACY], convertLeakyRelu],
  ['Clip', '', [1, 10], ['min', 'max', ...LEGACY], convertClip],
  ['Clip', '', [11, MAX_OPSET], [], convertClip],
  ['BatchNormalization', '', ANY, batchNormAttrs, convertBatchNorm],
  ['Flatten', '', ANY, ['axis'], convertFlatten],
  ['Reshape', '', [1, 4], ['shape', ...LEGACY], convertReshape],
  ['Reshape', '', [5, MAX_OPSET], ['allowzero'], convertReshape],
  ['Transpose', '', ANY, ['perm'], convertTranspose],
  ['Add', '', ANY, addAttrs, convertAdd],
  ['Concat', '', ANY, ['axis'], convertConcat],
  ['Softmax', '', ANY, ['axis'], convertSoftmax],
  ['Sigmoid', '', ANY, LEGACY, convertUnary('sigmoid')],
  ['Tanh', '', ANY, LEGACY, convertUnary('tanh')],
  ['Exp', '', ANY, [], convertUnary('exp')],
  ['Abs', '', ANY, LEGACY, convertUnary('abs')],
  ['Sign', '', [9, MAX_OPSET], [], convertUnary('sign')],
  ['Pow', '', ANY, [], convertPow],
  ['Identity', '', ANY, [], convertIdentity],
  ['Dropout', '', ANY, dropoutAttrs, convertDropout],
  ['Pad', '', [1, 10], ['mode', 'pads', 'paddings', 'value'], convertPad],
  ['Pad', '', [11, MAX_OPSET], ['mode'], convertPad],
  ['Constant', '', ANY, constantAttrs, convertConstant],
  ['Shape', '', ANY, ['start', 'end'], convertShape],
  ['Gather', '', ANY, ['axis'], convertGather],
  ['ConstantOfShape', '', ANY, ['value'], convertConstantOfShape],
  ['Slice', '', [1, 9], ['starts', 'ends', 'axes'], convertSlice],
  ['Slice', '', [10, MAX_OPSET], [], convertSlice],
  ['Unsqueeze', '', [1, 12], ['axes'], convertUnsqueeze],
  ['Unsqueeze', '', [13, MAX_OPSET], [], convertUnsqueeze],
  ['Squeeze', '', [1, 12], ['axes'], convertSqueeze],
  ['Squeeze', '', [13, MAX_OPSET], [], convertSqueeze],
  ['Cast', '', ANY, castAttrs, convertCast],
  ['Mul', '', ANY, ['broadcast', 'axis', ...LEGACY], convertMul],
  ['Sub', '', ANY, ['broadcast', 'axis', ...LEGACY], convertSub],
  ['Div', '', ANY, ['broadcast', 'axis', ...LEGACY], convertDiv],
  ['ReduceMean', '', ANY, reduceMeanAttrs, convertReduceMean],
];

export const SUPPORTED_OPS: readonly string[] = [...new Set(OP_RESOLVE_RULES.map((r) => r[0]))];

/** The rule for an op at an opset, or why there is none. */
export function resolveOp(opType: string, domain: string, opset: number): OpRule | { error: string } {
  const d = domain === 'ai.onnx' ? '' : domain;
  const rows = OP_RESOLVE_RULES.filter((r) => r[0] === opType && r[1] === d);
  if (rows.length === 0) {
    const op = d ? `${d}.${opType}` : opType;
    return { error: `op ${op} is not supported; supported ops: ${SUPPORTED_OPS.join(', ')}` };
  }
  const row = rows.find((r) => opset >= r[2][0] && opset <= r[2][1]);
  if (!row) {
    const ranges = rows.map((r) => `${r[2][0]}-${r[2][1]}`).join(', ');
    return { error: `op ${opType} at opset ${opset} is not supported; supported opsets: ${ranges}` };
  }
  return row;
}
