// The virtual board under connection floods, in its own process (`cnna board serve`), its
// memory read from /proc/PID/status:
//  - 700 unauthenticated connections, each sending the header of a 1 MiB frame and half its
//    bytes (350 MiB in all; the board used to buffer all of it): its RSS grows by at most
//    256 MiB, every flood connection is answered with a protocol error (FRAME_TOO_LARGE for a
//    frame above the pre-AUTH limit, or BUSY when evicted to make room) and closed, and a
//    well-behaved client is still served;
//  - 48 authenticated connections doing the same against a 32 MiB buffer budget: exactly the
//    16 whose buffer growth fits the budget hold their frames, each of the others gets BUSY
//    and is closed, and a well-behaved client is served meanwhile.
// scripts/bench-flood.ts runs the full 1,500-connection flood and prints the figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, floodAuthenticated, floodUnauthenticated, wellBehaved } from './support/flood.ts';
import { rssMiB, startBoardProcess, type BoardProcess } from './support/board-process.ts';

const TOKEN = 'flood-test-token';

async function settle(board: BoardProcess, ms: number): Promise<number> {
  let peak = rssMiB(board.pid);
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    await new Promise((r) => setTimeout(r, 50));
    peak = Math.max(peak, rssMiB(board.pid));
  }
  return peak;
}

describe('virtual board under connection floods', () => {
  let board: BoardProcess;
  beforeAll(async () => { board = await startBoardProcess({ token: TOKEN, args: ['--max-buffered-mib', '32'] }); });
  afterAll(async () => { await board?.stop(); });

  it('700 unauthenticated half-sent 1 MiB frames: RSS grows by at most 256 MiB, all refused, a good client served', async () => {
    await wellBehaved(board.port, TOKEN, 1); // warm: the first pairing loads what a session needs
    const before = rssMiB(board.pid);
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(board.pid)); }, 20);
    const conns = await floodUnauthenticated(board.port, 700);
    const served = await wellBehaved(board.port, TOKEN);
    peak = Math.max(peak, await settle(board, 500));
    clearInterval(sampler);
    console.log(`flood (unauthenticated): RSS ${before.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB (+${(peak - before).toFixed(0)} MiB); good client's PINGs ${served.pingMs.map((m) => m.toFixed(1)).join(', ')} ms`);
    expect(peak - before).toBeLessThanOrEqual(256);
    expect(served.board).toBe('virtual');
    const codes = new Map<string, number>();
    for (const c of conns) {
      const code = String(c.answers[0]?.body.code ?? (c.closed ? 'closed without answer' : 'still open'));
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect([...codes.keys()].sort()).toEqual(expect.arrayContaining(['FRAME_TOO_LARGE']));
    for (const k of codes.keys()) expect(['FRAME_TOO_LARGE', 'BUSY']).toContain(k);
    expect(conns.every((c) => c.closed)).toBe(true);
    const tooLarge = conns.find((c) => c.answers[0]?.body.code === 'FRAME_TOO_LARGE')!;
    expect(tooLarge.answers[0].body.message).toBe('frame length 1048576 exceeds the limit of 4096 before AUTH');
    closeAll(conns);
  });

  it('48 authenticated half-sent 1 MiB frames against a 32 MiB budget: 16 held, 32 refused with BUSY, a good client served', async () => {
    const before = rssMiB(board.pid);
    const conns = await floodAuthenticated(board.port, TOKEN, 48);
    const served = await wellBehaved(board.port, TOKEN);
    const peak = await settle(board, 300);
    const held = conns.filter((c) => !c.closed && c.answers.length === 2);
    const busy = conns.filter((c) => c.answers[2]?.body.code === 'BUSY');
    console.log(`flood (authenticated, 32 MiB budget): RSS ${before.toFixed(0)} -> ${peak.toFixed(0)} MiB; ${held.length} held, ${busy.length} refused`);
    // each held frame takes 2 * (1 MiB + 4) + 64 KiB - (2 * (4 KiB + 4) + 64 KiB) = 2,088,960 budget bytes: 16 fit in 32 MiB
    expect(held.length).toBe(16);
    expect(busy.length).toBe(32);
    expect(busy.every((c) => c.closed)).toBe(true);
    expect(busy[0].answers[2].body.message).toBe("a frame of 1048576 bytes does not fit the agent's buffer budget now (other connections hold it); retry later");
    expect(served.board).toBe('virtual');
    expect(peak - before).toBeLessThanOrEqual(256);
    closeAll(conns);
  });
});
