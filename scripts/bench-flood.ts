// Connection flood against the virtual board (`cnna board serve --virtual --backend ref`, its
// own process, default limits): `--connections N` (default 1,500) unauthenticated connections,
// each sending the header of a 1 MiB frame and half of its bytes, then holding; then
// `--authenticated M` (default 60) paired connections doing the same. Prints the board's RSS
// before and at its peak (VmRSS sampled every 20 ms), how the flood connections were answered,
// and the round trips of a well-behaved client served during the flood.
//   node --import tsx scripts/bench-flood.ts [--connections 1500] [--authenticated 60]
import { parseArgs } from 'node:util';
import { rssMiB, startBoardProcess } from '../test/e2e/support/board-process.ts';
import { closeAll, floodAuthenticated, floodUnauthenticated, wellBehaved, type FloodConn } from '../test/e2e/support/flood.ts';

const { values } = parseArgs({ options: { connections: { type: 'string', default: '1500' }, authenticated: { type: 'string', default: '60' } } });
const TOKEN = 'bench-flood';

function answers(conns: FloodConn[], index: number): string {
  const codes = new Map<string, number>();
  for (const c of conns) {
    const f = c.answers[index];
    const k = f ? String(f.body.code ?? f.type) : c.closed ? 'closed' : 'held';
    codes.set(k, (codes.get(k) ?? 0) + 1);
  }
  return [...codes].map(([k, n]) => `${k} ${n}`).join(', ');
}

const board = await startBoardProcess({ token: TOKEN });
try {
  await wellBehaved(board.port, TOKEN, 1);
  const before = rssMiB(board.pid);
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(board.pid)); }, 20);
  const t0 = performance.now();
  const flood = await floodUnauthenticated(board.port, Number(values.connections));
  const served = await wellBehaved(board.port, TOKEN);
  await new Promise((r) => setTimeout(r, 1000));
  console.log(`unauthenticated flood: ${flood.length} connections with half-sent 1 MiB frames in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`  answers: ${answers(flood, 0)}`);
  console.log(`  board RSS: ${before.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB, growth ${(peak - before).toFixed(0)} MiB`);
  console.log(`  well-behaved client during the flood: INFO ok, PING round trips ${served.pingMs.map((m) => m.toFixed(2)).join(', ')} ms`);
  closeAll(flood);

  const before2 = rssMiB(board.pid);
  peak = before2;
  const auth = await floodAuthenticated(board.port, TOKEN, Number(values.authenticated));
  const served2 = await wellBehaved(board.port, TOKEN);
  await new Promise((r) => setTimeout(r, 1000));
  clearInterval(sampler);
  console.log(`authenticated flood: ${auth.length} paired connections with half-sent 1 MiB frames`);
  console.log(`  answers after AUTH: ${answers(auth, 2)}`);
  console.log(`  board RSS: ${before2.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB, growth ${(peak - before2).toFixed(0)} MiB`);
  console.log(`  well-behaved client during the flood: PING round trips ${served2.pingMs.map((m) => m.toFixed(2)).join(', ')} ms`);
  closeAll(auth);
} finally {
  await board.stop();
}
