// Benchmark of `cnna sweep` on VGG16 (the 553 MB zoo model, generated once into .cache/bench) with the
// performance model: a 540-config space on the Ultra96, then the best config per board for VGG16 and
// for the small Fashion-MNIST model, each board on its default space. Prints wall and CPU time and the
// machine's load, since the machine is shared.
//   node --import tsx scripts/bench-sweep.ts [--skip-boards]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { boardNames } from '../boards/index.ts';

const root = join(import.meta.dirname, '..');
const work = join(root, '.cache', 'bench');
mkdirSync(work, { recursive: true });
const vgg = join(work, 'vgg16.onnx');
if (!existsSync(vgg)) execFileSync(process.execPath, [join(root, 'bin/cnna.js'), 'zoo', 'vgg16', '-o', vgg, '--seed', '1'], { stdio: 'inherit' });
const space = join(work, 'bench-space.json');
writeFileSync(space, JSON.stringify({
  'array.pi': [8, 16, 32], 'array.po': [8, 16, 32, 64], 'buffers.inputBankEntries': [2048, 4096, 8192, 16384],
  'buffers.weightBankWords': [160, 320, 640], clockMhz: { from: 150, to: 250, step: 25 }, where: ['array.po >= array.pi', 'array.po % array.pi == 0'],
}));

function sweep(args: string[]): { result: Record<string, any>; wall: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, join(root, 'bin/cnna.js'), 'sweep', ...args, '--no-cache', '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  const times = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`cnna sweep failed (${r.status}): ${r.stderr}`);
  return { result: JSON.parse(r.stdout), wall, cpu: times[0] + times[1] };
}

const load0 = loadavg()[0];
const v = sweep([vgg, '--board', 'ultra96', '--space', space, '-o', join(work, 'sweep-vgg16')]);
console.log(`VGG16, ${v.result.counts.configs} configs on ultra96: wall ${v.wall.toFixed(1)} s, CPU ${v.cpu.toFixed(1)} s (user + sys), ${v.result.workers} workers, `
  + `models loaded in ${v.result.loadSeconds} s, ${v.result.compiles} compiles; load average ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
console.log(`  ${v.result.counts.refused} refused, ${v.result.counts.fitting} fit, ${v.result.counts.pareto} on the front; best ${v.result.best?.configHash} ${v.result.best?.latencyMs?.toFixed(2)} ms`);
if (!process.argv.includes('--skip-boards')) {
  for (const [name, path] of [['vgg16', vgg], ['fashion_cnn', join(root, 'models/default/fashion_cnn.onnx')]]) {
    for (const b of boardNames()) {
      const r = sweep([path, '--board', b, '-o', join(work, `best-${name}-${b}`)]).result;
      const best = r.best;
      const c = best?.config;
      console.log(`${name} on ${b}: ${r.counts.configs} configs, ${r.counts.fitting} fit; best ${best ? `${best.configHash} PI ${c.array.pi} PO ${c.array.po} in ${c.buffers.inputBankEntries} w ${c.buffers.weightBankWords} ${c.clockMhz} MHz AXI ${c.axi.dataBits}x${c.axi.ports}: ${best.latencyMs.toFixed(3)} ms, DSP ${best.resources.dsp}, BRAM36 ${best.resources.bram36}, LUT ${best.resources.lut}` : 'none fits'}`);
    }
  }
}
