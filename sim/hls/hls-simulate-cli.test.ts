// `cnna simulate --backend hls` and `--backend hls-untimed` through the real CLI: the default model on 3
// Fashion-MNIST test images, bit-exact against the golden model, with the JSON the other backends give.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fashionMnistAvailable } from '../../compiler/data/fashion-mnist.ts';
import { repoRoot } from './hls-sources.ts';

interface SimJson { backend: string; bitExact: boolean; mismatches: { images: number; values: number; compared: number }; cycles: number; latencySeconds: number; clockMhz: number; layers: { name: string; cycles: number }[] }

function simulate(backend: string): SimJson {
  const out = execFileSync('node', [join(repoRoot, 'bin/cnna.js'), 'simulate', join(repoRoot, 'models/default/fashion_cnn.onnx'), '--backend', backend, '--dataset', 'fashion-mnist', '--limit', '3', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out) as SimJson;
}

describe.skipIf(!fashionMnistAvailable())('cnna simulate --backend hls (skipped: Fashion-MNIST absent)', () => {
  it('clocked and untimed: bit-exact, cycles, latency and per-layer figures', () => {
    const clocked = simulate('hls');
    const untimed = simulate('hls-untimed');
    for (const [r, name] of [[clocked, 'hls'], [untimed, 'hls-untimed']] as const) {
      expect(r.backend).toBe(name);
      expect(r.bitExact).toBe(true);
      expect(r.mismatches).toMatchObject({ images: 0, values: 0, compared: 30 });
      expect(r.layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'fc1', 'fc2']);
      expect(r.latencySeconds).toBeCloseTo(r.cycles / (r.clockMhz * 1e6), 12);
    }
    // Clocked: the model's own counter; untimed: the performance model. Both near the RTL's ~20,000.
    expect(clocked.cycles).toBeGreaterThan(15_000);
    expect(clocked.cycles).toBeLessThan(25_000);
    expect(clocked.layers.reduce((a, l) => a + l.cycles, 0)).toBeLessThanOrEqual(clocked.cycles);
    expect(Math.abs(untimed.cycles - clocked.cycles) / clocked.cycles).toBeLessThan(0.1);
  }, 300_000);
});
