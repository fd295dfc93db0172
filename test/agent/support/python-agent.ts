// Starts the Python PYNQ agent (boards/ultra96/agent) as a process for the TypeScript host tests:
// hw_fake, its engine the TypeScript engine model on the agent's DDR image (ref-engine-image.ts),
// listening on TCP loopback; resolves once it prints the port it bound.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../e2e/support/shared-paths.ts';

export interface PythonAgent {
  proc: ChildProcess;
  port: number;
  /** Kills the agent (SIGKILL, as a power cut would) and waits for it to exit. */
  stop(): Promise<void>;
}

/** The agent's --fake-engine command: the TypeScript engine model for the hardware config at `configPath`. */
export function refEngineCommand(configPath: string): string {
  return `node --import tsx ${join(repoRoot, 'test/agent/support/ref-engine-image.ts')} --config ${configPath} --serve`;
}

export async function startPythonAgent(o: { cache: string; engine: string; token: string; port?: number }): Promise<PythonAgent> {
  const proc = spawn('python3', ['-m', 'cnna_agent', '--cache', o.cache, '--hw', 'fake', '--no-fsync', '--tcp', `127.0.0.1:${o.port ?? 0}`, '--fake-engine', o.engine], {
    cwd: join(repoRoot, 'boards/ultra96/agent'), env: { ...process.env, CNNA_BOARD_TOKEN: o.token, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((res, rej) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += String(d);
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) res(Number(m[1]));
    });
    proc.once('exit', (c) => rej(new Error(`agent exited with ${c}`)));
  });
  return {
    proc, port,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await done;
    },
  };
}
