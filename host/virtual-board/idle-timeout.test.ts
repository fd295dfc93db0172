// The virtual board's idle timeout counts only while a session has nothing to do: an inference
// that computes far longer than idleTimeoutMs, from a host that sends nothing meanwhile (as the
// host runtime does while a request is pending), keeps its session and answers; once the session
// is really idle, the board ends it. Timer order decides, not machine speed: the engine's 5 s
// delay always ends after the 1 s idle timer first fired. The model is deployed under the default
// idle timeout; the board then restarts on the same cache (the deployment is restored) with 1 s.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { boardHwh } from '../../test/e2e/support/shared-paths.ts';
import { FAKE_BITSTREAM, synBundle, synExpected, synImage } from '../../test/e2e/support/synthetic-model.ts';
import { startTestBoard, TEST_TOKEN, type TestBoard } from '../../test/e2e/support/virtual-board-fixture.ts';
import { BoardClient } from '../runtime/board-client.ts';
import { deployModel } from '../runtime/deploy-model.ts';
import { runInference } from '../runtime/run-inference.ts';

describe('virtual board idle timeout', () => {
  let board: TestBoard | undefined;
  let client: BoardClient | undefined;
  const cleanups: Array<() => void> = [];
  afterEach(async () => { await client?.close(); await board?.stop(); for (const c of cleanups) c(); });

  it('does not end a session while its request computes; ends it once idle', async () => {
    board = await startTestBoard();
    cleanups.push(board.cleanup);
    const deployer = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: board.tcp.port }, token: TEST_TOKEN, keepalive: false });
    await deployModel(deployer, { bitstream: FAKE_BITSTREAM, hwh: new Uint8Array(readFileSync(boardHwh)), bundle: synBundle({ delayMs: 5000 }) });
    await deployer.close();
    await board.stop();
    board = await startTestBoard({ cacheDir: board.cacheDir, limits: { idleTimeoutMs: 1000, keepaliveMs: 60_000 } });
    client = await BoardClient.connect({
      transport: { kind: 'tcp', host: '127.0.0.1', port: board.tcp.port }, token: TEST_TOKEN,
      keepalive: false, reconnectMs: 0, longRetransmitMs: 600_000, longTimeoutMs: 600_000,
    });
    const x = synImage(5);
    const r = await runInference(client, [{ name: 'input', shape: [1, 1, 28, 28], data: x }]);
    expect(Array.from(r.outputs[0].data)).toEqual(Array.from(synExpected(x)));
    expect(client.stats.reconnects).toBe(0);
    for (const until = Date.now() + 60_000; board.tcp.sessions.size > 0;) {
      expect(Date.now(), 'the idle session was never ended').toBeLessThan(until);
      await new Promise((res) => setTimeout(res, 20));
    }
  });
});
