// Runs a sweep's configs on worker threads (one per core), with a resume cache: every finished entry
// is appended to DIR/sweep-cache.jsonl under a key of the config hash, the model files' hashes, the
// board and the hash of the code that computes an entry, so an interrupted sweep picks up where it
// stopped and a changed model or model code starts afresh.
import { createHash } from 'node:crypto';
import { appendFileSync, createReadStream, existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { BoardSpec } from '../../boards/board-spec.ts';
import { rawConfigHash, type SweepEntry } from './evaluate.ts';
import { loadSweepModels } from './sweep-worker.ts';

export interface SweepModel { name: string; path: string; sha256: string }

export async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  await new Promise<void>((res, rej) => createReadStream(path).on('data', (d) => h.update(d)).on('end', res).on('error', rej));
  return h.digest('hex');
}

const repo = fileURLToPath(new URL('../../', import.meta.url));
/** Hash of the sources an entry depends on (the back end, the contracts, the perf, resource and timing models and their calibration data, the boards' DDR rules). */
export function codeHash(): string {
  const h = createHash('sha256');
  for (const dir of ['compiler/backend', 'compiler/contracts', 'sim/perf', 'sim/synth', 'sim/sweep', 'boards']) {
    for (const f of readdirSync(join(repo, dir)).filter((x) => (x.endsWith('.ts') && !x.endsWith('.test.ts')) || x.endsWith('.json')).sort()) h.update(f).update(readFileSync(join(repo, dir, f)));
  }
  return h.digest('hex').slice(0, 16);
}

export interface RunOptions {
  board: BoardSpec;
  models: SweepModel[];
  /** Where the resume cache lives (null: no cache). */
  cacheFile: string | null;
  workers?: number;
  /** Images per start the models are compiled for (default 1): latency per start, throughput batch / latency. */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function runSweep(items: { raw: Record<string, unknown>; index: number }[], opts: RunOptions): Promise<{ entries: SweepEntry[]; cached: number; workers: number; compiles: number; loadSeconds: number }> {
  const code = codeHash();
  const keyOf = (raw: Record<string, unknown>): string => createHash('sha256')
    .update(JSON.stringify([rawConfigHash(raw), opts.board, opts.models.map((m) => [m.name, m.sha256]), code, ...((opts.batch ?? 1) > 1 ? [opts.batch] : [])])).digest('hex').slice(0, 24);
  const cache = new Map<string, SweepEntry>();
  if (opts.cacheFile && existsSync(opts.cacheFile)) {
    for (const line of readFileSync(opts.cacheFile, 'utf8').split('\n')) {
      if (!line) continue;
      try { const r = JSON.parse(line) as { key: string; entry: SweepEntry }; cache.set(r.key, r.entry); } catch { /* a line cut by an interruption */ }
    }
  }
  const out: SweepEntry[] = [];
  const todo: typeof items = [];
  for (const it of items) {
    const hit = cache.get(keyOf(it.raw));
    if (hit) out.push({ ...hit, index: it.index });
    else todo.push(it);
  }
  const total = items.length;
  let done = out.length;
  opts.onProgress?.(done, total);
  let compiles = 0;
  let loadSeconds = 0;
  const t0 = performance.now();
  const nWorkers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), todo.length));
  if (todo.length) {
    // Configs that tile alike go to the same worker, so its compile cache serves them.
    const tileKey = (r: Record<string, unknown>): string => JSON.stringify([(r.array as object), (r.buffers as { inputBankEntries: number }).inputBankEntries, (r.buffers as { weightBankWords: number }).weightBankWords]);
    todo.sort((a, b) => (tileKey(a.raw) < tileKey(b.raw) ? -1 : tileKey(a.raw) > tileKey(b.raw) ? 1 : a.index - b.index));
    const chunk = Math.max(1, Math.min(32, Math.ceil(todo.length / (nWorkers * 4))));
    const queue: (typeof todo)[] = [];
    for (let i = 0; i < todo.length; i += chunk) queue.push(todo.slice(i, i + chunk));
    // The models are loaded once, here, and each worker gets a copy without weight values (a few KB):
    // VGG16's 553 MB read and quantize in every worker cost each one some 5 CPU seconds.
    const loaded = loadSweepModels(opts.models);
    const entry = new URL('./sweep-worker-entry.mjs', import.meta.url);
    const workers: Worker[] = [];
    try {
      await Promise.all(Array.from({ length: nWorkers }, () => new Promise<void>((resolve, reject) => {
        const w = new Worker(entry, { workerData: { board: opts.board, models: opts.models.map((m) => ({ name: m.name, path: m.path })), loaded, batch: opts.batch ?? 1 } });
        workers.push(w);
        let last = 0;
        const next = (): void => {
          const items = queue.shift();
          if (items) w.postMessage({ type: 'eval', items });
          else resolve();
        };
        w.on('message', (m: { type: string; entries?: SweepEntry[]; compiles?: number; message?: string; code?: string }) => {
          if (m.type === 'ready') { loadSeconds = Math.max(loadSeconds, (performance.now() - t0) / 1000); return next(); }
          if (m.type === 'error') return reject(new CnnaError((m.code as never) ?? 'E_SIM', `sweep worker: ${m.message}`));
          for (const e of m.entries!) {
            out.push(e);
            if (opts.cacheFile) appendFileSync(opts.cacheFile, `${JSON.stringify({ key: keyOf(e.config), entry: e })}\n`);
          }
          compiles += m.compiles! - last;
          last = m.compiles!;
          done += m.entries!.length;
          opts.onProgress?.(done, total);
          next();
        });
        w.on('error', reject);
        w.on('exit', (code) => { if (code !== 0) reject(new CnnaError('E_SIM', `sweep worker exited with code ${code}`)); });
      })));
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }
  out.sort((a, b) => a.index - b.index);
  return { entries: out, cached: items.length - todo.length, workers: todo.length ? nWorkers : 0, compiles, loadSeconds };
}
