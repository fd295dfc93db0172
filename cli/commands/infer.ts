// `cnna infer <input…>`: runs each input on the board's active deployment and prints the
// top-k classes, the round-trip latency and the on-board engine cycles and time. With
// --exit-threshold T, a bundle compiled with early exits (`cnna compile --exit`) answers at the
// first exit whose softmax maximum is at least T; the top-k are then the exit's, and the exit is named;
// after the inputs, a summary per exit: the inputs that left there, their top-1 (fashion-mnist:N inputs,
// which carry their labels) and their mean on-board cycles and time (cli/early-exit.ts).
// Inputs: .npy files or fashion-mnist:N (Fashion-MNIST test image N, with its true label).
// On a batch deployment (a bundle compiled with --batch N; INFO's io.batch) the inputs go N at a time,
// each group in one INFER that runs one start: give a multiple of N inputs; the cycles and board time
// printed are the start's, shared by its N images.
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { FASHION_MNIST_CLASSES } from '../../compiler/data/fashion-mnist.ts';
import { runBatchInference, runInference, type InferResult } from '../../host/runtime/run-inference.ts';
import type { TensorSpec } from '../../host/virtual-board/engine-backend.ts';
import type { Command } from '../command.ts';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectFromFlags, parsePositiveInt } from './board-connection.ts';
import { checkInputArg, loadInput, topK } from './board-inputs.ts';
import { CascadeTally, EXIT_THRESHOLD_OPTIONS, answerOutput, cascadeLines, exitThresholdFlag } from '../early-exit.ts';

export const inferCommand: Command = {
  name: 'infer',
  summary: 'run inputs (.npy or fashion-mnist:N) on the board: top-k, latency, on-board cycles',
  usage: `infer <input.npy | fashion-mnist:N>... [--top K] [--labels fashion-mnist] [--allow-nonfinite] [--exit-threshold T] ${CONNECTION_USAGE}`,
  options: { ...CONNECTION_OPTIONS, top: { type: 'string', default: '3' }, labels: { type: 'string' }, 'allow-nonfinite': { type: 'boolean', default: false }, ...EXIT_THRESHOLD_OPTIONS },
  async run({ values, positionals }, ctx) {
    if (positionals.length === 0) throw new CnnaError('E_USAGE', 'infer: give at least one input (.npy file or fashion-mnist:N)');
    const k = parsePositiveInt('--top', values.top, 1000);
    const exitThreshold = exitThresholdFlag(values);
    for (const arg of positionals) checkInputArg(arg);
    const client = await connectFromFlags(values);
    try {
      const info = await client.request('INFO');
      const io = info.body.io as { inputs: TensorSpec[]; outputs: TensorSpec[]; batch?: number } | undefined;
      if (!io) throw new CnnaError('E_BOARD', `infer: nothing is deployed on ${client.description}`, { hint: 'deploy a model first: cnna deploy <bundle.cnnab> --overlay <bit> --hwh <hwh>' });
      if (io.inputs.length !== 1) throw new CnnaError('E_UNSUPPORTED', `infer: the deployed model has ${io.inputs.length} inputs; this command feeds one`);
      const batch = io.batch ?? 1;
      if (positionals.length % batch !== 0) {
        throw new CnnaError('E_USAGE', `infer: the deployed bundle runs ${batch} images per start; give a multiple of ${batch} inputs (got ${positionals.length})`, {
          hint: `each group of ${batch} inputs runs in one INFER; a batch bundle has no padding images (deploy a bundle compiled without --batch to run single images)`,
        });
      }
      if (batch > 1 && exitThreshold !== undefined) throw new CnnaError('E_USAGE', 'infer: --exit-threshold needs a bundle with early exits, and batch bundles have none');
      const clockHz = Number(info.body.clockHz);
      const results = [];
      const exits = io.outputs.filter((o) => o.exit).map((o) => o.name);
      const labelled = positionals.every((a) => a.startsWith('fashion-mnist:'));
      const tally = exitThreshold === undefined ? undefined : new CascadeTally(io.outputs, exits, exitThreshold, clockHz / 1e6, labelled);
      // one INFER per input, or per group of `batch` inputs on a batch deployment
      const answers: { arg: string; input: ReturnType<typeof loadInput>; r: InferResult }[] = [];
      for (let g = 0; g < positionals.length; g += batch) {
        const args = positionals.slice(g, g + batch);
        const loaded = args.map((arg) => loadInput(arg, io.inputs[0], values['allow-nonfinite'] ? 'map' : 'refuse'));
        if (batch === 1) {
          answers.push({ arg: args[0], input: loaded[0], r: await runInference(client, [loaded[0].tensor], { exitThreshold }) });
          continue;
        }
        const b = await runBatchInference(client, loaded.map((x) => [x.tensor]));
        b.images.forEach((outputs, n) => answers.push({ arg: args[n], input: loaded[n], r: { outputs, exit: null, cycles: b.cycles, timeNs: b.timeNs, computeNs: b.computeNs, rttNs: b.rttNs } }));
      }
      for (const { arg, input, r } of answers) {
        // the answer: the exit the image left at, else the first output that is not an early exit's
        const answer = answerOutput(io.outputs, exits, r.exit);
        const out = r.outputs.find((o) => o.name === answer)!;
        let best = 0;
        for (let c = 1; c < out.data.length; c++) if (out.data[c] > out.data[best]) best = c;
        tally?.add(r.exit, r.cycles, best === input.label);
        const names = values.labels === 'fashion-mnist' || (input.label !== undefined && out.data.length === 10) ? FASHION_MNIST_CLASSES : undefined;
        const top = topK(out.data, out.f, Math.min(k, out.data.length)).map((t) => ({ ...t, name: names?.[t.index] }));
        const label = (t: { index: number; name?: string }) => (t.name ? `${t.name} (${t.index})` : `class ${t.index}`);
        ctx.log(`${arg}${input.labelName ? ` [true: ${input.labelName}]` : ''}: ${top.map((t) => `${label(t)} ${(100 * t.score).toFixed(1)}%`).join(', ')}`);
        if (r.exit !== null) ctx.log(`  left at early exit '${r.exit}'`);
        else if (exitThreshold !== undefined) ctx.log(`  ran every segment (answer '${out.name}')`);
        ctx.log(`  latency ${(r.rttNs / 1e6).toFixed(2)} ms round trip; on board ${r.cycles.toLocaleString('en-US')} cycles = ${(r.timeNs / 1e6).toFixed(3)} ms at ${(clockHz / 1e6).toFixed(1)} MHz${batch > 1 ? ` (one start of ${batch} images)` : ''}`);
        results.push({
          input: arg, trueLabel: input.label, trueName: input.labelName, top, answer: out.name, exit: r.exit, cycles: r.cycles, boardTimeMs: r.timeNs / 1e6,
          latencyMs: r.rttNs / 1e6, computeMs: r.computeNs / 1e6, outputs: r.outputs.map((o) => ({ name: o.name, shape: o.shape, f: o.f, ...(o.exit ? { exit: true } : {}), q: Array.from(o.data) })),
        });
      }
      const cascade = tally?.report();
      if (cascade) for (const l of cascadeLines(cascade)) ctx.log(l.replace(' cycles', ' cycles on board'));
      return { board: client.description, ...(batch > 1 ? { batch } : {}), results, ...(cascade ? { cascade } : {}) };
    } finally {
      await client.close();
    }
  },
};
