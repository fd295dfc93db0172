// The board commands' errors, in process through cli/main.ts: each names what is wrong and
// what to do, with the typed exit code.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { startTestBoard, TEST_TOKEN, type TestBoard } from './support/virtual-board-fixture.ts';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('board CLI errors', () => {
  let board: TestBoard;
  beforeAll(async () => { board = await startTestBoard(); });
  afterAll(async () => { await board?.stop(); board?.cleanup(); });

  it('refuses to serve anything but the virtual board', async () => {
    const r = await cli(['board', 'serve', '--tcp', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('cnna: error [E_USAGE]: board serve: only the virtual board runs on this machine; pass --virtual');
  });

  it('needs a token, a reachable board and well-formed flags', async () => {
    const saved = process.env.CNNA_BOARD_TOKEN;
    delete process.env.CNNA_BOARD_TOKEN;
    try {
      expect((await cli(['board', 'info', '--tcp', `127.0.0.1:${board.tcp.port}`])).err).toContain('no pairing token: pass --token T or set CNNA_BOARD_TOKEN');
    } finally {
      if (saved !== undefined) process.env.CNNA_BOARD_TOKEN = saved;
    }
    const refused = await cli(['board', 'info', '--tcp', '127.0.0.1:1', '--token', 't']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('[E_LINK]: tcp 127.0.0.1:1: cannot connect (ECONNREFUSED)');
    expect((await cli(['board', 'info', '--tcp', 'nohost:port', '--token', 't'])).err).toContain("--tcp 'nohost:port' is not HOST:PORT or PORT");
    const wrong = await cli(['board', 'info', '--tcp', `127.0.0.1:${board.tcp.port}`, '--token', 'nope', '--json']);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.out).error).toMatchObject({ code: 'E_AUTH' });
  });

  it('explains an empty board and bad MMIO arguments', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // the wrong token above locked pairing from 127.0.0.1 for 1 s
    const conn = ['--tcp', `127.0.0.1:${board.tcp.port}`, '--token', TEST_TOKEN];
    expect((await cli(['infer', 'fashion-mnist:0', ...conn])).err).toContain('infer: nothing is deployed on tcp 127.0.0.1:');
    expect((await cli(['board', 'mmio', 'read', '0xzz', ...conn])).err).toContain("address '0xzz' is not a number");
    expect((await cli(['board', 'mmio', 'read', '0xa0000000', '0', ...conn])).err).toContain("cnna: error [E_USAGE]: count '0' is not a number in [1, 1024] (decimal or 0x hex)");
    expect((await cli(['deploy', 'missing.cnnab', '--hwh', 'x', ...conn])).err).toContain('deploy: missing overlay (--overlay)');
    const info = await cli(['board', 'info', ...conn, '--json']);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.out)).toMatchObject({ board: 'virtual', protocol: 1, overlay: null });
  });
});
