// `cnna infer <input…>`: runs each input on the board's active deployment and prints the
// top-k classes, the round-trip latency and the on-board engine cycles and time. With
// --exit-threshold T, a bundle compiled with early exits (`cnna compile --exit`) answers at the
// first exit whose softmax maximum is at least T; the top-k are then the exit's, and the exit is named.
// Inputs: .npy files or fashion-mnist:N (Fashion-MNIST test image N, with its true label).
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { FASHION_MNIST_CLASSES } from '../../compiler/data/fashion-mnist.ts';
import { runInference } from '../../host/runtime/run-inference.ts';
import type { TensorSpec } from '../../host/virtual-board/engine-backend.ts';
import type { Command } from '../command.ts';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectFromFlags, parsePositiveInt } from './board-connection.ts';
import { checkInputArg, loadInput, topK } from './board-inputs.ts';

export const inferCommand: Command = {
  name: 'infer',
  summary: 'run inputs (.npy or fashion-mnist:N) on the board: top-k, latency, on-board cycles',
  usage: `infer <input.npy | fashion-mnist:N>... [--top K] [--labels fashion-mnist] [--allow-nonfinite] [--exit-threshold T] ${CONNECTION_USAGE}`,
  options: { ...CONNECTION_OPTIONS, top: { type: 'string', default: '3' }, labels: { type: 'string' }, 'allow-nonfinite': { type: 'boolean', default: false }, 'exit-threshold': { type: 'string' } },
  async run({ values, positionals }, ctx) {
    if (positionals.length === 0) throw new CnnaError('E_USAGE', 'infer: give at least one input (.npy file or fashion-mnist:N)');
    const k = parsePositiveInt('--top', values.top, 1000);
    const exitThreshold = values['exit-threshold'] === undefined ? undefined : parseExitThreshold(String(values['exit-threshold']));
    for (const arg of positionals) checkInputArg(arg);
    const client = await connectFromFlags(values);
    try {
      const info = await client.request('INFO');
      const io = info.body.io as { inputs: TensorSpec[]; outputs: TensorSpec[] } | undefined;
      if (!io) throw new CnnaError('E_BOARD', `infer: nothing is deployed on ${client.description}`, { hint: 'deploy a model first: cnna deploy <bundle.cnnab> --overlay <bit> --hwh <hwh>' });
      if (io.inputs.length !== 1) throw new CnnaError('E_UNSUPPORTED', `infer: the deployed model has ${io.inputs.length} inputs; this command feeds one`);
      const clockHz = Number(info.body.clockHz);
      const results = [];
      for (const arg of positionals) {
        const input = loadInput(arg, io.inputs[0], values['allow-nonfinite'] ? 'map' : 'refuse');
        const r = await runInference(client, [input.tensor], { exitThreshold });
        // the answer: the exit the image left at, else the first output that is not an early exit's
        const out = r.outputs.find((o) => (r.exit === null ? !o.exit : o.name === r.exit)) ?? r.outputs[0];
        const names = values.labels === 'fashion-mnist' || (input.label !== undefined && out.data.length === 10) ? FASHION_MNIST_CLASSES : undefined;
        const top = topK(out.data, out.f, Math.min(k, out.data.length)).map((t) => ({ ...t, name: names?.[t.index] }));
        const label = (t: { index: number; name?: string }) => (t.name ? `${t.name} (${t.index})` : `class ${t.index}`);
        ctx.log(`${arg}${input.labelName ? ` [true: ${input.labelName}]` : ''}: ${top.map((t) => `${label(t)} ${(100 * t.score).toFixed(1)}%`).join(', ')}`);
        if (r.exit !== null) ctx.log(`  left at early exit '${r.exit}'`);
        else if (exitThreshold !== undefined) ctx.log(`  ran every segment (answer '${out.name}')`);
        ctx.log(`  latency ${(r.rttNs / 1e6).toFixed(2)} ms round trip; on board ${r.cycles.toLocaleString('en-US')} cycles = ${(r.timeNs / 1e6).toFixed(3)} ms at ${(clockHz / 1e6).toFixed(1)} MHz`);
        results.push({
          input: arg, trueLabel: input.label, trueName: input.labelName, top, answer: out.name, exit: r.exit, cycles: r.cycles, boardTimeMs: r.timeNs / 1e6,
          latencyMs: r.rttNs / 1e6, computeMs: r.computeNs / 1e6, outputs: r.outputs.map((o) => ({ name: o.name, shape: o.shape, f: o.f, ...(o.exit ? { exit: true } : {}), q: Array.from(o.data) })),
        });
      }
      return { board: client.description, results };
    } finally {
      await client.close();
    }
  },
};

function parseExitThreshold(s: string): number {
  const t = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(s) ? Number(s) : NaN;
  if (!(t >= 0 && t <= 1)) throw new CnnaError('E_USAGE', `--exit-threshold '${s}' is not a number in [0, 1]`, { hint: 'an image leaves at an early exit when the exit\'s softmax maximum is at least T: 0 always exits, 1 only when certain' });
  return t;
}
