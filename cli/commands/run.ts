// `cnna run <model> --input FILE… [--out DIR]`: runs the float executor and the bit-exact
// fixed-point golden model on input tensors (.pb TensorProto or .npy), writes each output as
// `<DIR>/<output>_float.pb` and `<DIR>/<output>_fixed.pb` (ONNX test-data format, float32;
// the fixed one dequantized, q·2^-f), and prints the top-5 of each output row and how far
// the two executors agree (max |float − fixed|, top-1 agreement), after the per-layer
// quantization report (format, value range, saturated values, SQNR against float).
import { basename, join } from 'node:path';
import { matchInputs, readInputFile } from '../../compiler/data/input-files.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { writeTensorProto } from '../../compiler/onnx/tensor-proto.ts';
import { requireFinite } from '../../compiler/data/finite.ts';
import { formatReport } from '../../compiler/quant/format-report.ts';
import { ensureDir, writeFilesAtomic } from '../../compiler/util/atomic-write.ts';
import type { Command } from '../command.ts';
import { QUANT_OPTIONS, nonFinitePolicy, argmax, runFloatAnyBatch, loadModel, maxAbsDiff, quantizeForCli, row, shapeText, topK, type LoadedModel } from '../model-pipeline.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { freezeInputs, optimize } from '../../compiler/passes/index.ts';

const K = 5;

/** A file-name-safe version of an ONNX value name ('/fc/Gemm_output_0' → '_fc_Gemm_output_0'). */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * Graph inputs that a Conv, Gemm, MatMul or BatchNormalization reads as weights (the ONNX test
 * cases pass weights as inputs): the fixed-point model multiplies by constant weights only, so
 * the given values become constants (an input file of exactly the declared shape) before the
 * model is optimized again. The other inputs stay inputs.
 */
export function freezeWeightInputs(m: LoadedModel, feeds: Record<string, Tensor>): { model: LoadedModel; feeds: Record<string, Tensor>; frozen: string[] } {
  const inputNames = new Set(m.imported.inputs.map((i) => i.name));
  const weightSlots = new Set<string>();
  for (const n of m.imported.nodes) {
    const slots = n.op === 'conv' || n.op === 'gemm' || n.op === 'matmul' || n.op === 'batchnorm' ? n.inputs.slice(1) : [];
    for (const v of slots) if (inputNames.has(v)) weightSlots.add(v);
  }
  const frozen = m.imported.inputs.filter((vi) => weightSlots.has(vi.name) && feeds[vi.name]
    && feeds[vi.name].dims.length === vi.shape.length && feeds[vi.name].dims.every((d, k) => d === vi.shape[k])).map((vi) => vi.name);
  if (frozen.length === 0) return { model: m, feeds, frozen };
  const values = Object.fromEntries(frozen.map((k) => [k, feeds[k]]));
  const imported = freezeInputs(m.imported, values);
  const rest = Object.fromEntries(Object.entries(feeds).filter(([k]) => !frozen.includes(k)));
  return { model: { ...m, imported, graph: optimize(imported) }, feeds: rest, frozen };
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run a model in float and in bit-exact fixed point on .pb/.npy inputs; write both outputs as .pb and compare them',
  usage: 'run <model.onnx> --input FILE [--input FILE ...] [--out DIR] [--format auto|Qm.n] [--per-channel] [--calibration-images N | --calibration FILE ...]',
  options: {
    input: { type: 'string', short: 'i', multiple: true },
    out: { type: 'string', short: 'o', default: 'out' },
    ...QUANT_OPTIONS,
  },
  async run({ values, positionals }, ctx) {
    const files = (values.input as string[] | undefined) ?? [];
    if (files.length === 0) throw new CnnaError('E_USAGE', 'run: missing --input FILE (a .pb TensorProto or a .npy array)', { hint: 'usage: cnna run <model.onnx> --input x.npy [--out DIR]' });
    if (positionals.length > 1) throw new CnnaError('E_USAGE', `run: expected one model, got ${positionals.length} (${positionals.join(', ')})`, { hint: 'pass each input with its own --input' });
    ensureDir(String(values.out)); // before the long work: a bad --out fails at once
    const loaded = loadModel(positionals[0], 'run', values);
    const inputs = files.map(readInputFile);
    for (const f of inputs) requireFinite(`input file '${f.file}'`, f.dims, f.data, nonFinitePolicy(values));
    const { feeds: given, batch } = matchInputs(loaded.graph.inputs, inputs);
    const { model: m, feeds, frozen } = freezeWeightInputs(loaded, given);
    const qm = quantizeForCli(m.graph, values, ctx);
    const float = runFloatAnyBatch(m.graph, feeds);
    const fixed = runFixed(qm, feeds).outputs;
    const outDir = String(values.out);
    const written: [string, Uint8Array][] = [];
    const outputs = m.graph.outputs.map((vi) => {
      const f = float[vi.name];
      const q = fixed[vi.name];
      const files = { float: join(outDir, `${safeName(vi.name)}_float.pb`), fixed: join(outDir, `${safeName(vi.name)}_fixed.pb`) };
      written.push([basename(files.float), writeTensorProto(vi.name, f)], [basename(files.fixed), writeTensorProto(vi.name, q)]);
      const rows = Array.from({ length: f.dims[0] ?? 1 }, (_, i) => {
        const fr = row(f, i);
        const qr = row(q, i);
        return {
          float: topK(fr, K),
          fixed: topK(qr, K),
          top1Agree: argmax(fr) === argmax(qr),
          maxAbsDiff: maxAbsDiff(fr, qr),
        };
      });
      return { name: vi.name, dims: f.dims, files, maxAbsDiff: maxAbsDiff(f.data, q.data), top1Agree: rows.filter((r) => r.top1Agree).length, rows };
    });
    writeFilesAtomic(outDir, written);
    if (frozen.length > 0) ctx.log(`weights given as inputs, used as constants: ${frozen.join(', ')}`);
    ctx.log(`quantization (${qm.options.format === 'auto' ? 'auto formats' : `Q${16 - qm.options.format}.${qm.options.format}`}${qm.options.perChannel ? ', per-channel weight scales' : ''}; calibration: ${qm.options.calibration}):`);
    for (const line of formatReport(qm.report).split('\n')) ctx.log(`  ${line}`);
    for (const o of outputs) {
      ctx.log(`output ${o.name} ${shapeText(o.dims)} → ${o.files.float}, ${o.files.fixed}`);
      o.rows.forEach((r, i) => {
        const fmt = (t: { index: number; value: number }[]) => t.map((e) => `${e.index}:${e.value.toFixed(4)}`).join('  ');
        ctx.log(`  [${i}] float top-${K}: ${fmt(r.float)}`);
        ctx.log(`  [${i}] fixed top-${K}: ${fmt(r.fixed)}`);
      });
      ctx.log(`  agreement: max |float − fixed| = ${o.maxAbsDiff.toExponential(3)}, top-1 agrees on ${o.top1Agree}/${o.rows.length}`);
    }
    return {
      model: m.path,
      batch,
      inputs: inputs.map((f, i) => ({ file: f.file, format: f.format, dims: f.dims, input: loaded.graph.inputs[i].name, ...(frozen.includes(loaded.graph.inputs[i].name) ? { frozen: true } : {}) })),
      quantization: { format: qm.options.format, perChannel: qm.options.perChannel, calibration: qm.options.calibration, report: qm.report },
      outputs: outputs.map((o) => ({ ...o, rows: o.rows })),
    };
  },
};
