// DEPLOY checks on the virtual board (ref engine, over TCP): a file without a Xilinx bitstream
// header, a bundle compiled for another config than the overlay's (the .hwh CONFIG_HASH), and a
// bundle for another clock than the .hwh's are each refused with BAD_ARTIFACT naming the reason,
// and the refused artifact leaves the cache; the matching set deploys and reports the clock.
// Also the bitstream header parser on its own (host/hwh/bitstream-header.ts).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFiles } from '../../compiler/backend/bundle-io.ts';
import { packArchive } from '../../compiler/backend/bundle-archive.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { configHash, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { buildModel } from '../../compiler/onnx/build-model.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { pytorchCnnSpec } from '../../compiler/onnx/sample-models.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { encodeBitstreamHeader, parseBitstreamHeader, syntheticBitstreamData } from '../../host/hwh/bitstream-header.ts';
import { BoardClient } from '../../host/runtime/board-client.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import { sha256Hex } from '../../host/runtime/upload-object.ts';
import { refBackend } from '../../host/virtual-board/backends/ref-backend.ts';
import { FAKE_BITSTREAM } from './support/synthetic-model.ts';
import { virtualHwh } from './support/shared-paths.ts';
import { startTestBoard, TEST_TOKEN, type TestBoard } from './support/virtual-board-fixture.ts';

const qm = quantize(optimize(importOnnx(buildModel(pytorchCnnSpec(1)))));
const archiveFor = (config: HwConfig) => packArchive(bundleFiles(compileBundle(qm, config, { name: 'tiny' })));
const base = defaultConfig('ultra96');
const hwh = new Uint8Array(readFileSync(virtualHwh));
const hwhNoConfig = new TextEncoder().encode(new TextDecoder().decode(hwh).replace(/\s*<PARAMETER NAME="CONFIG_HASH"[^>]*\/>/, ''));

describe('DEPLOY checks (virtual board, ref engine)', () => {
  let board: TestBoard;
  let client: BoardClient;
  beforeAll(async () => {
    board = await startTestBoard({ backend: refBackend });
    client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: board.tcp.port }, token: TEST_TOKEN, keepalive: false });
  });
  afterAll(async () => { await client?.close(); await board?.stop(); board?.cleanup(); });

  async function refused(files: { bitstream: Uint8Array; hwh: Uint8Array; bundle: Uint8Array }, gone: Uint8Array): Promise<string> {
    const e = await deployModel(client, files).then(() => undefined, (x: Error) => x);
    expect(e).toBeDefined();
    expect(board.core.cache.has(sha256Hex(gone))).toBe(false);
    return (e as Error).message;
  }

  it('a 3-byte text file as the bitstream is refused and removed from the cache', async () => {
    const bit = new TextEncoder().encode('hi\n');
    expect(await refused({ bitstream: bit, hwh, bundle: archiveFor(base) }, bit)).toBe(
      `DEPLOY: board error BAD_ARTIFACT: DEPLOY: the bitstream is not a Xilinx .bit file: it does not start with the Xilinx bitstream header (00 09 0f f0 0f f0 0f f0 0f f0 00 00 01); its first bytes are 68 69 0a; the bitstream ${sha256Hex(bit).slice(0, 12)} was removed from the cache`);
  });

  it('a bundle compiled for another config (pi = po = 8) is refused and removed', async () => {
    const other = { ...base, array: { ...base.array, pi: 8, po: 8 } } as HwConfig;
    const bundle = archiveFor(other);
    expect(await refused({ bitstream: FAKE_BITSTREAM, hwh, bundle }, bundle)).toBe(
      `DEPLOY: board error BAD_ARTIFACT: DEPLOY: bundle 'tiny' was compiled for config ${configHash(other)}, the overlay's engine cnna_0 is built for config ${configHash(base)}; recompile the model with the overlay's config (cnna compile --config FILE); the bundle ${sha256Hex(bundle).slice(0, 12)} was removed from the cache`);
  });

  it('a bundle for a 150 MHz clock on a 200 MHz overlay is refused and removed', async () => {
    const bundle = archiveFor({ ...base, clockMhz: 150 });
    expect(await refused({ bitstream: FAKE_BITSTREAM, hwh: hwhNoConfig, bundle }, bundle)).toBe(
      `DEPLOY: board error BAD_ARTIFACT: DEPLOY: bundle 'tiny' was compiled for a 150 MHz engine clock, the overlay clocks the engine cnna_0 at 199.998 MHz (.hwh); recompile with clockMhz 200 in the config, or use an overlay built for 150 MHz; the bundle ${sha256Hex(bundle).slice(0, 12)} was removed from the cache`);
  });

  it('the matching bitstream, .hwh and bundle deploy; the shipped virtual overlay passes the header check', async () => {
    const shipped = new Uint8Array(readFileSync(virtualHwh.replace(/\.hwh$/, '.bit')));
    const dep = await deployModel(client, { bitstream: shipped, hwh, bundle: archiveFor(base) });
    expect(dep.clockHz).toBe(200e6);
    expect(board.core.cache.has(sha256Hex(shipped))).toBe(true);
  });
});

describe('Xilinx bitstream header', () => {
  const data = syntheticBitstreamData(new Uint8Array([1, 2, 3, 4]));
  const bit = encodeBitstreamHeader({ design: 'top;UserID=0XFFFFFFFF;Version=2023.2', part: 'xczu3eg-sbva484-1-e', date: '2026/12/07', time: '12:34:56', data });

  it('reads the fields of a header and finds the configuration data', () => {
    expect(parseBitstreamHeader(bit)).toEqual({
      design: 'top;UserID=0XFFFFFFFF;Version=2023.2', part: 'xczu3eg-sbva484-1-e', date: '2026/12/07', time: '12:34:56',
      dataOffset: bit.length - data.length, dataLength: data.length,
    });
  });

  it('says why other bytes are not a .bit file', () => {
    expect(parseBitstreamHeader(new Uint8Array(0))).toEqual({ error: 'it does not start with the Xilinx bitstream header (00 09 0f f0 0f f0 0f f0 0f f0 00 00 01); its first bytes are (none: the file is empty)' });
    expect(parseBitstreamHeader(data)).toMatchObject({ error: expect.stringMatching(/^it does not start with the Xilinx bitstream header .*its first bytes are ff ff ff ff ff ff ff ff$/) });
    expect(parseBitstreamHeader(bit.subarray(0, bit.length - 1))).toEqual({ error: `the header announces ${data.length} bytes of configuration data, the file holds ${data.length - 1} after the header` });
    const noSync = encodeBitstreamHeader({ design: 'x', part: 'y', data: new Uint8Array(300).fill(0xff) });
    expect(parseBitstreamHeader(noSync)).toEqual({ error: 'the configuration data has no sync word (aa 99 55 66) in its first 256 bytes' });
    const cut = bit.slice(0, 20);
    expect(parseBitstreamHeader(cut)).toMatchObject({ error: expect.stringMatching(/^the header's 'a' field \(\d+ bytes at 16\) runs past the end of the file$/) });
  });
});
