// `cnna board serve --virtual [--backend ref|rtl|hls|synthetic] (--tcp PORT | --serial PATH)`:
// runs the virtual board (the agent's side of the protocol on the simulators) until Ctrl-C.
// It listens on 127.0.0.1 unless --host says otherwise, and keeps its content cache in
// --cache DIR (default ~/.cache/cnna/virtual-board), writing nowhere else. --max-connections and
// --max-buffered-mib set the agent's connection cap and shared buffer budget (docs/protocol.md 6).
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { ensureDir } from '../../compiler/util/atomic-write.ts';
import { AgentCore, type AgentGuards } from '../../host/virtual-board/agent-core.ts';
import { loadBackend } from '../../host/virtual-board/backends/backend-registry.ts';
import { serveSerial } from '../../host/virtual-board/serve-serial.ts';
import { serveTcp } from '../../host/virtual-board/serve-tcp.ts';
import type { Command } from '../command.ts';
import { DEFAULT_BOARD_PORT, parsePositiveInt } from './board-connection.ts';

export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cnna', 'virtual-board');
}

export const boardServeCommand: Command = {
  name: 'board serve',
  summary: 'run a virtual board (the board protocol on the simulators) on TCP or a serial device',
  usage: 'board serve --virtual [--backend ref|rtl|hls|synthetic] (--tcp PORT | --serial PATH [--baud 3000000]) [--host 127.0.0.1] [--token T] [--cache DIR] [--max-connections 64] [--max-buffered-mib 128]',
  options: {
    virtual: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'ref' },
    tcp: { type: 'string' },
    serial: { type: 'string' },
    baud: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    token: { type: 'string' },
    cache: { type: 'string' },
    'max-connections': { type: 'string' },
    'max-buffered-mib': { type: 'string' },
  },
  allowPositionals: false,
  async run({ values }, ctx) {
    if (!values.virtual) {
      throw new CnnaError('E_USAGE', 'board serve: only the virtual board runs on this machine; pass --virtual', { hint: 'on the Ultra96 run the PYNQ agent (boards/ultra96/agent/)' });
    }
    if (values.tcp !== undefined && values.serial !== undefined) throw new CnnaError('E_USAGE', 'board serve: give either --tcp PORT or --serial PATH, not both');
    const backend = await loadBackend(String(values.backend));
    if (values.token === '') throw new CnnaError('E_USAGE', 'board serve: --token is empty', { hint: 'pass a non-empty pairing token, or leave --token out and the board prints a random one' });
    let token = (values.token as string | undefined) ?? process.env.CNNA_BOARD_TOKEN;
    const generated = !token;
    token ??= randomBytes(12).toString('hex');
    const cacheDir = (values.cache as string | undefined) ?? defaultCacheDir();
    ensureDir(cacheDir);
    const host = String(values.host);
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') ctx.warn(`listening on ${host}: anyone who can reach it may try the pairing token`);
    const guards: Partial<AgentGuards> = {};
    if (values['max-connections'] !== undefined) guards.maxConnections = parsePositiveInt('--max-connections', values['max-connections'], 100_000);
    if (values['max-buffered-mib'] !== undefined) guards.maxBufferedBytes = parsePositiveInt('--max-buffered-mib', values['max-buffered-mib'], 1 << 20) * 1024 * 1024;
    const core = new AgentCore({ cacheDir, token, backend, guards, log: (l) => process.stderr.write(`board: ${l}\n`) });
    await core.restore();
    let stop: () => Promise<void>;
    let where: string;
    if (values.serial !== undefined) {
      const baudRate = values.baud !== undefined ? parsePositiveInt('--baud', values.baud, 20_000_000) : 3_000_000;
      const s = await serveSerial(core, { path: String(values.serial), baudRate });
      stop = s.close;
      where = `serial:${s.path}`;
    } else {
      const port = values.tcp !== undefined ? (String(values.tcp) === '0' ? 0 : parsePositiveInt('--tcp', values.tcp, 65535)) : DEFAULT_BOARD_PORT;
      const t = await serveTcp(core, { port, host });
      stop = t.close;
      where = `tcp:${t.host}:${t.port}`;
    }
    const ready = { listening: where, backend: backend.name, cacheDir: core.cache.root, ...(generated ? { token } : {}) };
    if (ctx.json) process.stdout.write(JSON.stringify(ready) + '\n');
    ctx.log(`virtual board (${backend.name} engine) on ${where}, cache ${core.cache.root}`);
    if (generated) ctx.log(`pairing token: ${token}   (export CNNA_BOARD_TOKEN=${token})`);
    ctx.log('Ctrl-C to stop');
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await stop();
    core.close();
    return undefined;
  },
};
