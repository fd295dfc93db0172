// The host runtime against a virtual board over real TCP on loopback: handshake and token,
// deploy with content-hash caching, inference checked bit for bit against an independent
// computation, MMIO confined to the .hwh, buffers, cancellation and timeouts.
// No assertion depends on the machine's speed: the slow engine runs until it is cancelled, and
// waits are for events (a session ending) with limits far above any expected time.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_BITSTREAM, synBundle, synExpected, synImage } from '../../test/e2e/support/synthetic-model.ts';
import { boardHwh, engineRegs } from '../../test/e2e/support/shared-paths.ts';
import { startTestBoard, TEST_TOKEN, type TestBoard } from '../../test/e2e/support/virtual-board-fixture.ts';
import { BoardClient } from './board-client.ts';
import { deployModel } from './deploy-model.ts';
import { runInference } from './run-inference.ts';

describe('board client over TCP', () => {
  let board: TestBoard;
  let client: BoardClient;
  let hwh: Uint8Array;
  beforeAll(async () => {
    board = await startTestBoard();
    hwh = readFileSync(boardHwh);
    client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: board.tcp.port }, token: TEST_TOKEN });
  });
  afterAll(async () => { await client?.close(); await board?.stop(); board?.cleanup(); });

  it('rejects a wrong token with a clear error', async () => {
    await expect(BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: board.tcp.port }, token: 'wrong' }))
      .rejects.toThrow('AUTH: board error AUTH_FAILED: AUTH: the MAC does not match the pairing token');
  });

  it('reports the board identity', async () => {
    expect(client.hello).toMatchObject({ protocol: 1, board: 'virtual', part: 'xczu3eg-sbva484-1-e', backend: 'synthetic', overlay: null });
    const info = await client.request('INFO');
    expect(info.body.cache).toEqual({ objects: [], bytes: 0 });
  });

  it('refuses inference before a deployment', async () => {
    await expect(runInference(client, [{ name: 'input', shape: [1, 1, 28, 28], data: synImage(1) }]))
      .rejects.toThrow('INFER: board error NOT_DEPLOYED: INFER: no deployment is active; deploy a model first');
  });

  it('deploys, then deploys again from the cache without sending a byte', async () => {
    const files = { bitstream: FAKE_BITSTREAM, hwh, bundle: synBundle() };
    const first = await deployModel(client, files);
    expect(first.uploads.hwh.sentBytes).toBe(hwh.length);
    expect(first.inputs).toEqual([{ name: 'input', dtype: 'int16', shape: [1, 1, 28, 28], f: 14 }]);
    const again = await deployModel(client, files);
    expect(again.deployId).toBe(first.deployId);
    expect([again.uploads.bitstream.sentBytes, again.uploads.hwh.sentBytes, again.uploads.bundle.sentBytes]).toEqual([0, 0, 0]);
    const info = await client.request('INFO');
    expect(info.body.deployId).toBe(first.deployId);
    expect((info.body.cache as { objects: unknown[] }).objects).toHaveLength(3);
  });

  it('infers bit-exactly with cycles and time at the bundle clock', async () => {
    for (const seed of [1, 2, 3]) {
      const x = synImage(seed);
      const r = await runInference(client, [{ name: 'input', shape: [1, 1, 28, 28], data: x }]);
      expect(Array.from(r.outputs[0].data)).toEqual(Array.from(synExpected(x)));
      expect(r.cycles).toBe(123_456);
      expect(r.timeNs).toBe(Math.round(123_456 / 172e6 * 1e9));
    }
  });

  it('rejects inputs that do not match the bundle', async () => {
    await expect(runInference(client, [{ name: 'input', shape: [1, 28, 28], data: new Int16Array(784) }]))
      .rejects.toThrow("INFER: board error BAD_INPUT: INFER: input 0 must be {name: 'input', dtype: 'int16', shape: [1, 1, 28, 28], length: 1568}");
  });

  it('allows MMIO only inside the register ranges of the .hwh', async () => {
    const { base, high } = engineRegs;
    await client.request('MMIO_WRITE', { address: base, values: [7, 0xffffffff] });
    const r = await client.request('MMIO_READ', { address: base, count: 3 });
    expect(r.body.values).toEqual([7, 0xffffffff, 0]);
    await expect(client.request('MMIO_READ', { address: high + 1, count: 1 }))
      .rejects.toThrow(`MMIO_READ: board error MMIO_DENIED: MMIO_READ: [0x${(high + 1).toString(16)}, +4) is not inside one register range`);
    await expect(client.request('MMIO_READ', { address: high - 3, count: 2 })).rejects.toThrow('MMIO_DENIED');
    await expect(client.request('MMIO_WRITE', { address: 0x10000000, values: [1] })).rejects.toThrow('MMIO_DENIED');
    await expect(client.request('MMIO_READ', { address: base + 2, count: 1 })).rejects.toThrow('is not 32-bit aligned');
  });

  it('reads and writes the DMA buffers by name only', async () => {
    const x = synImage(9);
    const r = await runInference(client, [{ name: 'input', shape: [1, 1, 28, 28], data: x }]);
    const out = await client.request('BUFFER_READ', { name: 'output', offset: 0, length: 20 });
    expect(Buffer.from(out.blob).equals(Buffer.from(r.outputs[0].data.buffer))).toBe(true);
    await client.request('BUFFER_WRITE', { name: 'input', offset: 2 }, new Uint8Array([1, 2]));
    const back = await client.request('BUFFER_READ', { name: 'input', offset: 0, length: 4 });
    expect(Array.from(back.blob)).toEqual([new Uint8Array(x.buffer)[0], new Uint8Array(x.buffer)[1], 1, 2]);
    await expect(client.request('BUFFER_READ', { name: '../../etc/passwd', offset: 0, length: 4 })).rejects.toThrow('UNKNOWN_BUFFER');
    await expect(client.request('BUFFER_READ', { name: 'output', offset: 16, length: 8 })).rejects.toThrow('BAD_RANGE');
  });

  it('cancels a running inference and times out cleanly', async () => {
    // the engine would compute for 10 minutes: only the client's deadline and its CANCEL end it
    const slow = await deployModel(client, { bitstream: FAKE_BITSTREAM, hwh, bundle: synBundle({ delayMs: 600_000 }) });
    expect(slow.deployId).toMatch(/^[0-9a-f]{32}$/);
    await expect(runInference(client, [{ name: 'input', shape: [1, 1, 28, 28], data: synImage(1) }], { timeoutMs: 300 }))
      .rejects.toThrow(/INFER: no answer from the board within 300 ms/);
    const r = await client.request('PING', {}, new Uint8Array([1, 2, 3]));
    expect(Array.from(r.blob)).toEqual([1, 2, 3]);
    await deployModel(client, { bitstream: FAKE_BITSTREAM, hwh, bundle: synBundle() });
    const x = synImage(4);
    const ok = await runInference(client, [{ name: 'input', shape: [1, 1, 28, 28], data: x }]);
    expect(Array.from(ok.outputs[0].data)).toEqual(Array.from(synExpected(x)));
  });
});

describe('keep-alive and the idle timeout', () => {
  it('keeps an idle session alive with PINGs; without them the agent ends it and the client reconnects', async () => {
    // PINGs every 250 ms against a 3 s idle timeout: the kept session survives event-loop stalls
    // of up to 2.75 s (board and clients share this process); the quiet one ends when the board
    // says so, however long that takes on a loaded machine.
    const board = await startTestBoard({ limits: { idleTimeoutMs: 3000, keepaliveMs: 250 } });
    try {
      const transport = { kind: 'tcp' as const, host: '127.0.0.1', port: board.tcp.port };
      const alive = await BoardClient.connect({ transport, token: TEST_TOKEN, keepalive: true });
      const quiet = await BoardClient.connect({ transport, token: TEST_TOKEN, keepalive: false });
      expect(board.tcp.sessions.size).toBe(2);
      for (const until = Date.now() + 60_000; board.tcp.sessions.size > 1;) {
        expect(Date.now(), 'the idle timeout never ended the quiet session').toBeLessThan(until);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await alive.request('INFO')).body.protocol).toBe(1);
      expect((await quiet.request('INFO')).body.protocol).toBe(1);
      expect(alive.stats.reconnects).toBe(0);
      expect(quiet.stats.reconnects).toBeGreaterThanOrEqual(1);
      await alive.close();
      await quiet.close();
    } finally {
      await board.stop();
      board.cleanup();
    }
  });
});
