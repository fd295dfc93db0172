// `cnna bench [--runs N] [--input X]`: latency (mean, p50, p99) and throughput of N inferences
// on the board, the on-board time, and the protocol overhead (round trip − agent compute). On a batch
// deployment (INFO's io.batch N) each run is one INFER of N copies of the input, and images/s is reported
// per wall second and per on-board second (N / on-board time of one start).
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { benchInference } from '../../host/runtime/bench-inference.ts';
import type { TensorSpec } from '../../host/virtual-board/engine-backend.ts';
import type { Command } from '../command.ts';
import { progress } from '../progress.ts';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectFromFlags, parsePositiveInt } from './board-connection.ts';
import { loadInput } from './board-inputs.ts';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'inference latency and throughput on the board over N runs',
  usage: `bench [--runs N] [--input X.npy | fashion-mnist:N] ${CONNECTION_USAGE}`,
  options: { ...CONNECTION_OPTIONS, runs: { type: 'string', default: '100' }, input: { type: 'string' } },
  allowPositionals: false,
  async run({ values }, ctx) {
    const runs = parsePositiveInt('--runs', values.runs, 1_000_000);
    const client = await connectFromFlags(values);
    try {
      const info = await client.request('INFO');
      const io = info.body.io as { inputs: TensorSpec[]; batch?: number } | undefined;
      if (!io) throw new CnnaError('E_BOARD', `bench: nothing is deployed on ${client.description}`, { hint: 'deploy a model first: cnna deploy <bundle.cnnab> --overlay <bit> --hwh <hwh>' });
      const inputs = io.inputs.map((s) => (values.input ? loadInput(String(values.input), s).tensor : { name: s.name, shape: [...s.shape], data: new Int16Array(s.shape.reduce((a, b) => a * b, 1)) }));
      const bar = progress('bench', runs, { json: ctx.json });
      const batch = io.batch ?? 1;
      const r = await benchInference(client, inputs, runs, () => bar.tick(), batch);
      bar.stop();
      ctx.log(`${runs} inferences over ${client.description} (${String(info.body.backend)} engine)`);
      ctx.log(`  latency    mean ${r.latencyMs.mean.toFixed(3)} ms, p50 ${r.latencyMs.p50.toFixed(3)} ms, p99 ${r.latencyMs.p99.toFixed(3)} ms`);
      ctx.log(`  throughput ${r.throughputPerS.toFixed(1)} inferences/s${batch > 1 ? ` of ${batch} images = ${r.imagesPerS.toFixed(1)} images/s` : ''}`);
      ctx.log(`  on board   ${r.cycles.toLocaleString('en-US')} cycles = ${r.boardTimeMs.toFixed(3)} ms per inference${batch > 1 ? ` (one start, ${batch} images)` : ''}; ${r.boardImagesPerS.toFixed(1)} images/s on board`);
      ctx.log(`  agent compute ${r.computeMsMean.toFixed(3)} ms; protocol overhead (round trip − compute) mean ${r.overheadMs.mean.toFixed(3)} ms, p50 ${r.overheadMs.p50.toFixed(3)} ms`);
      return { board: client.description, backend: info.body.backend, ...r };
    } finally {
      await client.close();
    }
  },
};
