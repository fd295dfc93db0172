// cnna compile and cnna simulate --backend ref end to end through the CLI: a bundle written
// from the project's default model, run from the bundle directory and its archive, checked
// bit-exact against the golden model; a bundle refused by an engine with another config.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { configHash } from '../../compiler/contracts/hw-config.ts';
import { fashionMnistAvailable, FASHION_MNIST_DIR } from '../../compiler/data/fashion-mnist.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const model = join(root, 'models/default/fashion_cnn.onnx');
const cnna = (args: string[]): { code: number; out: string; err: string } => {
  try {
    const out = execFileSync('node', [join(root, 'bin/cnna.js'), ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out, err: '' };
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return { code: x.status, out: x.stdout, err: x.stderr };
  }
};

describe.skipIf(!fashionMnistAvailable())('cnna compile + simulate (ref)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-compile-'));
  const bundle = join(dir, 'b');

  it('compiles the default model into a bundle directory and archive', () => {
    const r = cnna(['compile', model, '--board', 'ultra96', '-o', bundle, '--json']);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out);
    expect(j.configHash).toBe(configHash(defaultConfig()));
    expect(j.jobs).toBeGreaterThan(0);
    for (const f of ['manifest.json', 'descriptors.bin', 'weights.bin', 'bundle.cnnab']) expect(existsSync(join(bundle, f))).toBe(true);
  });

  it('simulates the bundle and its archive bit-exact on 3 test images', () => {
    const images = join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz');
    const labels = join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz');
    for (const target of [bundle, join(bundle, 'bundle.cnnab')]) {
      const r = cnna(['simulate', target, '--model', model, '--backend', 'ref', '--images', images, '--labels', labels, '--limit', '3', '--json']);
      const j = JSON.parse(r.out);
      expect(j.bitExact).toBe(true);
      expect(j.mismatches.compared).toBe(30);
      expect(j.accuracy.n).toBe(3);
      expect(j.cycles).toBeGreaterThan(0);
      expect(j.latencySeconds).toBeCloseTo(j.cycles / 200e6, 12);
      expect(j.layers.length).toBeGreaterThan(0);
    }
  });

  it('compile refuses an invalid config file naming every bad field', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...defaultConfig(), array: { pi: 16, po: 24 }, clockMhz: -5 }));
    const r = cnna(['compile', model, '--config', file, '-o', join(dir, 'x')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file} is invalid: clockMhz: Number must be greater than 0; array.po: must be a multiple of array.pi (16)`);
  });

  it('an engine with another config refuses the bundle with both hashes and the differing field', () => {
    const other = { ...defaultConfig(), clockMhz: 150 };
    const file = join(dir, 'other.json');
    writeFileSync(file, JSON.stringify(other));
    const r = cnna(['simulate', bundle, '--config', file, '--input', join(dir, 'none.npy')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`was compiled for config ${configHash(defaultConfig())}, this engine is built for config ${configHash(other as never)}; differing fields: clockMhz (200 vs 150)`);
  });
});
