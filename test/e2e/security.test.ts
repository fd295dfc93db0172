// Security of the virtual board: the pairing token is
// required, frame and upload sizes are limited, the agent never writes outside its cache
// directory (path-traversal attempts are rejected), MMIO is confined to the register ranges
// of the deployed .hwh (and, when ../shared has it, of the real Ultra96 .hwh), and the agent
// listens on loopback by default.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type Frame } from '../../host/protocol/frame-codec.ts';
import { createStreamDecoder, encodeForTransport } from '../../host/protocol/stream-decoder.ts';
import { BoardClient } from '../../host/runtime/board-client.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import { uploadObject } from '../../host/runtime/upload-object.ts';
import { boardHwh, engineRegs, haveUltra96Hwh } from './support/shared-paths.ts';
import { FAKE_BITSTREAM, synBundle } from './support/synthetic-model.ts';
import { startTestBoard, TEST_TOKEN, type TestBoard } from './support/virtual-board-fixture.ts';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? [p + '/', ...walk(p)] : [p];
  });
}

/** A raw TCP conversation: send frames, collect decoded answers until the agent closes the
 *  connection (every use expects it to), or until `limitMs` passes (then `closed` is false). The
 *  limit is for a hang: under load the in-process board may take long to answer. */
async function raw(port: number, frames: Uint8Array[], limitMs = 60_000): Promise<{ answers: Frame[]; closed: boolean }> {
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const dec = createStreamDecoder('tcp');
  const answers: Frame[] = [];
  let closed = false;
  sock.on('data', (d) => {
    for (const e of dec.push(d)) if (e.kind === 'frame') { const f = decodeFrame(e.bytes, { direction: 'to-host' }); if (f.ok) answers.push(f.frame); }
  });
  const ended = new Promise<void>((r) => sock.on('close', () => { closed = true; r(); }));
  sock.on('error', () => {});
  for (const f of frames) sock.write(f);
  let limit: NodeJS.Timeout | undefined;
  await Promise.race([ended, new Promise((r) => { limit = setTimeout(r, limitMs); })]);
  clearTimeout(limit);
  sock.destroy();
  return { answers, closed };
}

const tcp = (f: Parameters<typeof encodeFrame>[0]) => encodeForTransport('tcp', encodeFrame(f));

describe('virtual board security', () => {
  let board: TestBoard;
  let parent: string;
  let client: BoardClient;
  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'cnna-sec-'));
    board = await startTestBoard({ cacheDir: join(parent, 'cache'), limits: { maxUpload: 2_000_000, maxFrame: 200_000 } });
    client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: board.tcp.port }, token: TEST_TOKEN, keepalive: false });
  });
  afterAll(async () => { await client?.close(); await board?.stop(); rmSync(parent, { recursive: true, force: true }); });

  it('listens on loopback only by default', () => {
    expect(board.tcp.host).toBe('127.0.0.1');
  });

  it('requires the pairing token', async () => {
    await expect(BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: board.tcp.port }, token: '' }))
      .rejects.toThrow('a pairing token is required');
    await expect(BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: board.tcp.port }, token: 'guess' }))
      .rejects.toMatchObject({ code: 'E_AUTH' });
    const r = await raw(board.tcp.port, [
      tcp({ type: 'INFO', requestId: 1 }),
      tcp({ type: 'UPLOAD_BEGIN', requestId: 2, body: { kind: 'bundle', size: 10, sha256: 'a'.repeat(64) } }),
      tcp({ type: 'HELLO', requestId: 3, body: { client: 'x', protocol: 1 } }),
      ...[4, 5, 6].map((id) => tcp({ type: 'AUTH', requestId: id, body: { clientNonce: '00'.repeat(16), mac: '11'.repeat(32) } })),
      tcp({ type: 'PING', requestId: 7 }),
    ]);
    // The client with the wrong token tried AUTH 3 times: that locked pairing from 127.0.0.1
    // (failures count per peer, across HELLOs and connections), so this session's first AUTH is
    // refused unchecked and the connection closed.
    expect(r.answers.map((f) => [f.requestId, f.type === 'ERROR' ? f.body.code : f.type])).toEqual([
      [1, 'AUTH_REQUIRED'], [2, 'AUTH_REQUIRED'], [3, 'HELLO'], [4, 'AUTH_FAILED'],
    ]);
    expect(String(r.answers[3].body.message)).toMatch(/^AUTH: too many wrong pairing MACs from 127\.0\.0\.1; pairing from it is locked for another \d+ ms$/);
    expect(r.closed).toBe(true);
  });

  it('limits frame sizes, and keeps serving after an oversized frame', async () => {
    const big = new Uint8Array(8);
    new DataView(big.buffer).setUint32(0, 200_001, true);
    const r = await raw(board.tcp.port, [big]);
    expect(r.answers.map((f) => [f.requestId, f.body.code])).toEqual([[0, 'FRAME_TOO_LARGE']]);
    expect(r.closed).toBe(true);
    const info = await client.request('INFO');
    expect(info.body.limits).toMatchObject({ maxFrame: 200_000, maxUpload: 2_000_000 });
  });

  it('limits upload sizes on the board and in the client', async () => {
    await expect(client.request('UPLOAD_BEGIN', { kind: 'bundle', size: 2_000_001, sha256: 'ab'.repeat(32) }))
      .rejects.toThrow('UPLOAD_BEGIN: board error UPLOAD_TOO_LARGE: UPLOAD_BEGIN: 2000001 bytes exceed this board\'s upload limit of 2000000');
    await expect(uploadObject(client, 'bundle', new Uint8Array(2_000_001)))
      .rejects.toThrow('the bundle has 2000001 bytes; the board accepts uploads of at most 2000000');
    const sha = 'cd'.repeat(32);
    const begin = await client.request('UPLOAD_BEGIN', { kind: 'bundle', size: 1_000_000, sha256: sha });
    const chunk = Number(begin.body.chunkSize);
    expect(chunk).toBe(200_000 - 1024);
    await expect(client.request('UPLOAD_CHUNK', { uploadId: sha, offset: 0 }, new Uint8Array(chunk + 1)))
      .rejects.toThrow('BAD_RANGE');
  });

  it('never writes outside its cache directory', async () => {
    const attempts: [string, Record<string, unknown>][] = [
      ['UPLOAD_BEGIN', { kind: 'bundle', size: 4, sha256: '../../evil' }],
      ['UPLOAD_BEGIN', { kind: 'bundle', size: 4, sha256: `../${'a'.repeat(61)}` }],
      ['UPLOAD_BEGIN', { kind: '../../evil', size: 4, sha256: 'ee'.repeat(32) }],
      ['UPLOAD_CHUNK', { uploadId: '/etc/passwd', offset: 0 }],
      ['UPLOAD_END', { uploadId: '..' }],
      ['UPLOAD_STATUS', { uploadId: `${'a'.repeat(63)}/` }],
      ['DEPLOY', { bitstream: '../../../../tmp/x', hwh: 'a'.repeat(64), bundle: 'a'.repeat(64) }],
      ['ACTIVATE', { deployId: '../active.json' }],
    ];
    for (const [type, body] of attempts) {
      await expect(client.request(type as never, body, new Uint8Array(4)), `${type} ${JSON.stringify(body)}`)
        .rejects.toThrow(/BAD_REQUEST|UNKNOWN_DEPLOY/);
    }
    await deployModel(client, { bitstream: FAKE_BITSTREAM, hwh: new Uint8Array(readFileSync(boardHwh)), bundle: synBundle() });
    await expect(client.request('BUFFER_WRITE', { name: '../../evil', offset: 0 }, new Uint8Array(4))).rejects.toThrow('UNKNOWN_BUFFER');
    const files = walk(parent).map((p) => relative(parent, p));
    expect(files.every((f) => f === 'cache' || f.startsWith('cache/')), files.join(', ')).toBe(true);
    expect(existsSync(join(parent, 'evil'))).toBe(false);
    expect(files.filter((f) => f.startsWith('cache/objects/') && !f.endsWith('.json'))).toHaveLength(3);
  });

  it('rejects an overlay for another device and a .hwh that is not one', async () => {
    const up = async (kind: 'hwh' | 'bundle' | 'bitstream', b: Uint8Array) => (await uploadObject(client, kind, b)).sha256;
    const bit = await up('bitstream', FAKE_BITSTREAM);
    const bundle = await up('bundle', synBundle());
    const z7 = await up('hwh', new Uint8Array(readFileSync(new URL('../../host/hwh/fixtures/mini-z7.hwh', import.meta.url))));
    await expect(client.request('DEPLOY', { bitstream: bit, hwh: z7, bundle })).rejects.toThrow("the overlay is for device '7z020', this board is 'xczu3eg-sbva484-1-e'");
    const junk = await up('hwh', new TextEncoder().encode('not xml at all'));
    await expect(client.request('DEPLOY', { bitstream: bit, hwh: junk, bundle })).rejects.toThrow('BAD_ARTIFACT');
  });

  it('confines MMIO to the engine register range of the deployed .hwh', async () => {
    const { base, high } = engineRegs;
    expect((await client.request('MMIO_READ', { address: high - 3, count: 1 })).body.values).toEqual([0]);
    for (const [address, count] of [[base - 4, 1], [high - 3, 2], [high + 1, 1], [0x0, 1]]) {
      await expect(client.request('MMIO_READ', { address, count }), `0x${address.toString(16)}+${count}`).rejects.toThrow('MMIO_DENIED');
    }
  });

  it.skipIf(!haveUltra96Hwh)('confines MMIO to the register ranges of the real Ultra96 .hwh', async () => {
    const ok = await client.request('MMIO_READ', { address: 0x80005ffc, count: 1 });
    expect(ok.body.values).toEqual([0]);
    for (const [address, count] of [[0x0, 1], [0x7ffffffc, 1], [0x80005ffc, 2], [0x80006000, 1], [0x8000fffc, 2], [0x80020000, 1], [0xfd000000, 1]]) {
      await expect(client.request('MMIO_READ', { address, count }), `0x${address.toString(16)}+${count}`).rejects.toThrow('MMIO_DENIED');
    }
    await expect(client.request('MMIO_WRITE', { address: 0x00100000, values: [1] })).rejects.toThrow('MMIO_DENIED');
  });
});
