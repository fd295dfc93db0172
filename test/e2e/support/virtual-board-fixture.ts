// Starts a virtual board in this process (TCP on an ephemeral loopback port) for tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentCore, type AgentOptions } from '../../../host/virtual-board/agent-core.ts';
import { syntheticBackend } from '../../../host/virtual-board/backends/synthetic-backend.ts';
import { serveTcp, type TcpAgent } from '../../../host/virtual-board/serve-tcp.ts';

export const TEST_TOKEN = 'test-token-0123';

export interface TestBoard {
  core: AgentCore;
  tcp: TcpAgent;
  cacheDir: string;
  /** Stops the agent (the cache directory stays, as after a crash). */
  stop(): Promise<void>;
  /** Removes the cache directory. */
  cleanup(): void;
}

export async function startTestBoard(o: Partial<AgentOptions> & { port?: number; cacheDir?: string } = {}): Promise<TestBoard> {
  const base = o.cacheDir ? undefined : mkdtempSync(join(tmpdir(), 'cnna-vb-'));
  const cacheDir = o.cacheDir ?? join(base!, 'cache');
  const core = new AgentCore({ token: TEST_TOKEN, backend: syntheticBackend, ...o, cacheDir });
  await core.restore();
  const tcp = await serveTcp(core, { port: o.port ?? 0 });
  return {
    core, tcp, cacheDir,
    stop: async () => { await tcp.close(); core.close(); },
    cleanup: () => { if (base) rmSync(base, { recursive: true, force: true }); },
  };
}
