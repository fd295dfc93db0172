// Connection flags shared by the board commands (not a command itself):
//   --tcp HOST:PORT | --tcp PORT | --serial PATH [--baud 3000000]  --token T  [--timeout MS]
// Defaults: $CNNA_BOARD (e.g. "tcp:127.0.0.1:7878" or "serial:/dev/ttyUSB1"), else tcp
// 127.0.0.1:7878; the token from $CNNA_BOARD_TOKEN.
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { BoardClient, type ClientOptions } from '../../host/runtime/board-client.ts';
import type { TransportSpec } from '../../host/transport/transport.ts';

export const DEFAULT_BOARD_PORT = 7878;

export const CONNECTION_OPTIONS = {
  tcp: { type: 'string' },
  serial: { type: 'string' },
  baud: { type: 'string' },
  token: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export const CONNECTION_USAGE = '[--tcp HOST:PORT | --serial PATH [--baud 3000000]] [--token T] [--timeout MS]';

export function parsePositiveInt(flag: string, v: unknown, max = 2 ** 31 - 1): number {
  const s = String(v);
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0 || n > max) throw new CnnaError('E_USAGE', `${flag} '${s}' is not an integer in [1, ${max}]`);
  return n;
}

export function parseTcpTarget(v: string): { host: string; port: number } {
  const m = /^(?:(.+):)?(\d+)$/.exec(v.trim());
  if (!m) throw new CnnaError('E_USAGE', `--tcp '${v}' is not HOST:PORT or PORT`, { hint: 'e.g. --tcp 127.0.0.1:7878' });
  return { host: m[1] ?? '127.0.0.1', port: parsePositiveInt('--tcp port', m[2], 65535) };
}

export function transportFrom(values: Record<string, unknown>): TransportSpec {
  const baudRate = values.baud !== undefined ? parsePositiveInt('--baud', values.baud, 20_000_000) : 3_000_000;
  if (values.tcp !== undefined && values.serial !== undefined) throw new CnnaError('E_USAGE', 'give either --tcp or --serial, not both');
  if (values.serial !== undefined) return { kind: 'serial', path: String(values.serial), baudRate };
  if (values.tcp !== undefined) return { kind: 'tcp', ...parseTcpTarget(String(values.tcp)) };
  const env = process.env.CNNA_BOARD;
  if (env?.startsWith('serial:')) return { kind: 'serial', path: env.slice(7), baudRate };
  if (env?.startsWith('tcp:')) return { kind: 'tcp', ...parseTcpTarget(env.slice(4)) };
  if (env) throw new CnnaError('E_USAGE', `CNNA_BOARD='${env}' is neither tcp:HOST:PORT nor serial:PATH`);
  return { kind: 'tcp', host: '127.0.0.1', port: DEFAULT_BOARD_PORT };
}

export function tokenFrom(values: Record<string, unknown>): string {
  const token = (values.token as string | undefined) ?? process.env.CNNA_BOARD_TOKEN;
  if (!token) throw new CnnaError('E_USAGE', 'no pairing token: pass --token T or set CNNA_BOARD_TOKEN', { hint: "the token is the one the board agent was started with (cnna board serve prints it)" });
  return token;
}

export async function connectFromFlags(values: Record<string, unknown>, extra: Partial<ClientOptions> = {}): Promise<BoardClient> {
  const timeoutMs = values.timeout !== undefined ? parsePositiveInt('--timeout', values.timeout) : undefined;
  return BoardClient.connect({
    transport: transportFrom(values), token: tokenFrom(values), keepalive: false,
    ...(timeoutMs ? { timeoutMs, longTimeoutMs: timeoutMs } : {}), ...extra,
  });
}
