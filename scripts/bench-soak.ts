// Soak of the virtual board: `cnna board serve --virtual --backend ref` in its own process, a
// tiny model deployed, `--inferences N` (default 10,000) inferences over TCP from `--clients C`
// (default 8) concurrent clients, each answer checked bit for bit against the reference engine
// model. Prints failures, total time and the round-trip p50 / p99 / max.
//   node --import tsx scripts/bench-soak.ts [--inferences 10000] [--clients 8]
import { parseArgs } from 'node:util';
import { startBoardProcess } from '../test/e2e/support/board-process.ts';
import { soak } from '../test/e2e/support/soak.ts';

const { values } = parseArgs({ options: { inferences: { type: 'string', default: '10000' }, clients: { type: 'string', default: '8' } } });
const TOKEN = 'bench-soak';
const board = await startBoardProcess({ token: TOKEN, backend: 'ref' });
try {
  const r = await soak(board.port, TOKEN, { clients: Number(values.clients), total: Number(values.inferences) });
  console.log(`soak: ${r.inferences} inferences from ${values.clients} clients over TCP in ${r.seconds.toFixed(1)} s (${(r.inferences / r.seconds).toFixed(0)}/s)`);
  console.log(`  round trip: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(1)} ms`);
  console.log(`  failures: ${r.failures.length}${r.failures.length ? ` (first: ${r.failures[0]})` : ''}`);
  process.exitCode = r.failures.length ? 1 : 0;
} finally {
  await board.stop();
}
