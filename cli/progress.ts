// Progress bars for long work. They draw on stderr, only when stderr is a TTY and not
// under --json, so logs and machine output stay clean.
import cliProgress from 'cli-progress';

export interface Progress {
  tick(n?: number): void;
  stop(): void;
}

export function progress(label: string, total: number, opts: { json?: boolean } = {}): Progress {
  if (opts.json || !process.stderr.isTTY || total <= 0) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label.padEnd(14)} [{bar}] {percentage}% {value}/{total} eta {eta_formatted}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let value = 0;
  return {
    tick(n = 1) { value += n; bar.update(value); },
    stop() { bar.stop(); },
  };
}
