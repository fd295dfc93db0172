// `cnna compile <model.onnx> --board ultra96 [--config FILE] -o DIR [--format auto|Qm.n]
// [--per-channel] [--batch N]`: import -> optimize -> quantize -> back end -> bundle directory
// (manifest.json, descriptors.bin, weights.bin, bundle.cnnab). Also writes the generated RTL
// package and HLS header of the config next to the bundle when --packages is given.
import { checkBatch, compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { writeBundle } from '../../compiler/backend/bundle-io.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { checkOutputFile, ensureDir } from '../../compiler/util/atomic-write.ts';
import { loadConfig } from '../../boards/ultra96/board.ts';
import { perfCompileOptions } from '../../sim/perf/model-bundle.ts';
import type { Command } from '../command.ts';
import { QUANT_OPTIONS, loadModel, quantizeForCli } from '../model-pipeline.ts';
import { basename, join } from 'node:path';

export const compileCommand: Command = {
  name: 'compile',
  summary: 'compile an ONNX model into a program bundle for the engine (tiling, weight layout, memory map)',
  usage: 'compile <model.onnx> --board ultra96 [--config FILE] -o DIR [--format auto|Qm.n] [--per-channel] [--batch N] [--exit OUTPUT…]',
  options: {
    board: { type: 'string', default: 'ultra96' },
    config: { type: 'string' },
    out: { type: 'string', short: 'o' },
    batch: { type: 'string', default: '1' },
    exit: { type: 'string', multiple: true },
    ...QUANT_OPTIONS,
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length > 1) throw new CnnaError('E_USAGE', `compile: expected one model, got ${positionals.length}`);
    const out = values.out as string | undefined;
    if (!out) throw new CnnaError('E_USAGE', 'compile: missing -o DIR (the bundle directory to write)', { hint: 'usage: cnna compile model.onnx --board ultra96 -o build/model' });
    const batchText = String(values.batch);
    const batch = checkBatch(/^\d+$/.test(batchText) ? Number(batchText) : batchText);
    ensureDir(out); // before the long work: a bad -o fails at once
    for (const f of ['manifest.json', 'descriptors.bin', 'weights.bin', 'bundle.cnnab']) checkOutputFile(join(out, f));
    const config = loadConfig(values.config as string | undefined, String(values.board));
    const t0 = performance.now();
    const m = loadModel(positionals[0], 'compile', values);
    const qm = quantizeForCli(m.graph, values, ctx);
    const t1 = performance.now();
    const bundle = compileBundle(qm, config, { name: basename(m.path).replace(/\.onnx$/i, ''), batch, exits: (values.exit as string[] | undefined) ?? [], ...perfCompileOptions(config) });
    const files = writeBundle(bundle, out, true);
    const t2 = performance.now();
    const man = bundle.manifest;
    ctx.log(`${m.path} -> ${out}: ${man.layers.length} layers, ${man.descriptors.count} jobs, ${man.params.size} B of weights, ${man.memoryMap.ddrBytes} B of DDR; config ${man.configHash}`);
    for (const l of man.layers) ctx.log(`  ${l.name.padEnd(32)} ${l.op.padEnd(10)} jobs ${String(l.jobs[1] - l.jobs[0] + 1).padStart(5)}  MACs ${l.macs}${l.winograd ? `  Winograd (${l.mults} multiplies)` : ''}`);
    // Ops the engine cannot run go to host segments between engine segments (docs/bundle-format.md "Segments").
    const hostOps = (man.segments ?? []).flatMap((s) => (s.kind === 'host' ? s.ops.map((o) => ({ node: o.node, op: o.op === 'lut' ? `${o.fn} (16-bit table)` : o.op, input: o.input.name, output: o.output.name })) : []));
    if (man.segments) {
      const engines = man.segments.filter((s) => s.kind === 'engine').length;
      ctx.log(`partitioned: ${engines} engine segment${engines === 1 ? '' : 's'}, ${hostOps.length} host op${hostOps.length === 1 ? '' : 's'} (run beside the engine, docs/numerics.md "Host ops"):`);
      for (const o of hostOps) ctx.log(`  host ${o.node.padEnd(27)} ${o.op}`);
    }
    return {
      segments: man.segments?.map((s) => (s.kind === 'engine' ? { kind: 'engine', jobs: s.count, layers: man.layers.slice(s.layers[0], s.layers[1] + 1).map((l) => l.name) } : { kind: 'host', ops: s.ops.map((o) => o.node) })) ?? null,
      hostOps,
      bundle: out,
      files,
      model: man.model,
      configHash: man.configHash,
      layers: man.layers,
      jobs: man.descriptors.count,
      batch,
      weightBytes: man.params.size,
      ddrBytes: man.memoryMap.ddrBytes,
      inputs: man.inputs,
      outputs: man.outputs,
      seconds: { frontEnd: Number(((t1 - t0) / 1000).toFixed(3)), backEnd: Number(((t2 - t1) / 1000).toFixed(3)) },
    };
  },
};
