// Latency and throughput of N inferences: host round-trip latency (mean, p50, p99), the
// on-board time (cycles at the bundle's clock), the agent's compute time, and the protocol
// overhead = round trip − agent compute. On a batch deployment (batch N) every run is one INFER of N
// copies of the inputs (one start), and images/s counts N per run.
import type { WireTensor } from '../virtual-board/engine-backend.ts';
import type { BoardClient } from './board-client.ts';
import { runBatchInference, runInference } from './run-inference.ts';

export interface BenchResult {
  runs: number;
  latencyMs: { mean: number; p50: number; p99: number; min: number };
  throughputPerS: number;
  /** Images per run (the deployment's batch). */
  batch: number;
  /** Wall-clock images/s over the runs (runs · batch / wall time). */
  imagesPerS: number;
  /** Images/s of the engine alone: batch / on-board time per start. */
  boardImagesPerS: number;
  cycles: number;
  boardTimeMs: number;
  computeMsMean: number;
  overheadMs: { mean: number; p50: number };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchInference(client: BoardClient, inputs: WireTensor[], runs: number, onRun?: (i: number) => void, batch = 1): Promise<BenchResult> {
  const once = batch > 1 ? () => runBatchInference(client, Array.from({ length: batch }, () => inputs)) : () => runInference(client, inputs);
  const rtt: number[] = [];
  const overhead: number[] = [];
  let compute = 0;
  let cycles = 0;
  let timeNs = 0;
  await once();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) {
    const r = await once();
    rtt.push(r.rttNs / 1e6);
    overhead.push((r.rttNs - r.computeNs) / 1e6);
    compute += r.computeNs / 1e6;
    cycles = r.cycles;
    timeNs = r.timeNs;
    onRun?.(i);
  }
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const s = [...rtt].sort((a, b) => a - b);
  const so = [...overhead].sort((a, b) => a - b);
  return {
    runs,
    latencyMs: { mean: rtt.reduce((a, b) => a + b, 0) / runs, p50: pct(s, 50), p99: pct(s, 99), min: s[0] },
    throughputPerS: runs / wallS,
    batch,
    imagesPerS: (runs * batch) / wallS,
    boardImagesPerS: timeNs > 0 ? batch / (timeNs / 1e9) : 0,
    cycles,
    boardTimeMs: timeNs / 1e6,
    computeMsMean: compute / runs,
    overheadMs: { mean: overhead.reduce((a, b) => a + b, 0) / runs, p50: pct(so, 50) },
  };
}
