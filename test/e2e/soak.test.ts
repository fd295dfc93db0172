// Soak: a board process (`cnna board serve --virtual --backend ref`) serves inferences of a tiny
// model over TCP to 8 concurrent clients, every answer checked bit for bit against the
// reference engine model: no failure, and the p50 / p99 round trip printed. CI runs 2,000
// inferences (CNNA_SOAK_INFERENCES to change); scripts/bench-soak.ts runs 10,000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBoardProcess, type BoardProcess } from './support/board-process.ts';
import { soak } from './support/soak.ts';

const TOKEN = 'soak-test-token';
const TOTAL = Number(process.env.CNNA_SOAK_INFERENCES ?? 2000);

describe('soak: inferences over TCP from 8 concurrent clients', () => {
  let board: BoardProcess;
  beforeAll(async () => { board = await startBoardProcess({ token: TOKEN, backend: 'ref' }); });
  afterAll(async () => { await board?.stop(); });

  it(`${TOTAL} inferences, no failure, every output bit-exact`, async () => {
    const r = await soak(board.port, TOKEN, { clients: 8, total: TOTAL });
    console.log(`soak: ${r.inferences} inferences from 8 clients in ${r.seconds.toFixed(1)} s; round trip p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(1)} ms`);
    expect(r.failures.slice(0, 5)).toEqual([]);
    expect(r.inferences).toBe(TOTAL);
  });
});
