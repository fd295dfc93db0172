// Test engine for the Python agent's hw_fake: runs the TypeScript engine model (sim/ref) on a
// DDR image file in place, as the hardware would at BASE. Usage:
//   node --import tsx ref-engine-image.ts --config CONFIG.json --serve
// then one image path per stdin line; for each it answers one stdout line {"cycles": n,
// "status": s} (status as the engine's STATUS register: 0 ok, 1 BAD_MAGIC, 2 BAD_VERSION,
// 3 CONFIG_MISMATCH, 4 BAD_OPCODE). Cycles come from the perf model (sim/perf). Staying up
// between runs keeps an inference at milliseconds instead of a node start-up.
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeDescriptor, decodeHeader, DESC_BYTES, Flag, FORMAT_VERSION, HEADER_MAGIC, Opcode } from '../../../compiler/contracts/bundle-format.ts';
import { configHash, validateConfig } from '../../../compiler/contracts/hw-config.ts';
import { PerfModel } from '../../../sim/perf/perf-model.ts';
import { runJob, type Ddr, type HeldSums } from '../../../sim/ref/run-job.ts';

import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const config = validateConfig(JSON.parse(readFileSync(args[args.indexOf('--config') + 1], 'utf8')), 'engine config');

function runImage(imagePath: string): { cycles: number; status: number } {
const file = readFileSync(imagePath);
const bytes = new Uint8Array(file.length + (file.length & 1));
bytes.set(file);
const ddr: Ddr = { bytes, view: new DataView(bytes.buffer), i16: new Int16Array(bytes.buffer) };
const h = decodeHeader(ddr.view, 0);
let status = 0;
let cycles = 0;
if (h.opcode !== Opcode.HEADER || h.magic !== HEADER_MAGIC) status = 1;
else if (h.version !== FORMAT_VERSION) status = 2;
else if (h.configHash !== configHash(config)) status = 3;
else {
  const timeline = new PerfModel(config).timeline();
  const held: HeldSums = { sums: null }; // a batch bundle's ACC_OUT sums, carried to the next (ACC_IN) job
  for (let j = 1; j <= h.count; j++) {
    const d = decodeDescriptor(ddr.view, j * DESC_BYTES);
    if (d.opcode !== Opcode.JOB) { status = 4; break; }
    runJob(ddr, d, config.array.pi, config.array.po, j, held);
    const next = !(d.flags & Flag.LAST) && j < h.count ? decodeDescriptor(ddr.view, (j + 1) * DESC_BYTES) : null;
    timeline.add(d, next?.opcode === Opcode.JOB ? next : null);
    if (d.flags & Flag.LAST) break;
  }
  cycles = timeline.finish();
}
writeFileSync(imagePath, bytes.subarray(0, file.length));
return { cycles, status };
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  let out: { cycles: number; status: number; error?: string };
  try {
    out = runImage(line.trim());
  } catch (e) {
    out = { cycles: 0, status: 8, error: String((e as Error).message) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
