// `cnna hls export`: writes a self-contained Vitis HLS project for one board and config: the engine
// sources, the headers generated from the config and the register map, the C-simulation testbench with
// its vectors, a Vitis HLS Tcl script generated from the config (part from the board, clock from
// clockMhz) and a README. exportHlsProject() is the entry point the CLI and the overlay flow call.
//
// Vectors: for the config the shared golden vectors were compiled for (test/vectors/engine/index.json),
// those vectors (expected outputs from the golden model); for any other config, seeded random programs
// (sim/verilator/random-bundle.ts) whose expected outputs come from the executable spec (sim/ref), every
// second one a Winograd layer (a random 3x3 stride-1 conv compiled as WINOGRAD jobs) when the config has
// array.winograd, and the third a batch bundle (3 images, FC layers as BATCH jobs with ACC_OUT / ACC_IN
// chunks), so the C-simulation and co-simulation exercise those datapaths too.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readBundle } from '../../compiler/backend/bundle-io.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { imageIo, type Bundle } from '../../compiler/contracts/bundle-format.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';
import { buildModel } from '../../compiler/onnx/build-model.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { mulberry32 } from '../../compiler/util/prng.ts';
import { configHash, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { boardByName, checkConfigBoard } from '../../boards/index.ts';
import { elementIndex, runBundle } from '../ref/run-bundle.ts';
import { randomCase } from '../verilator/random-bundle.ts';
import { writeHlsHeaders } from './build.ts';
import { hlsDir, hlsEngineSources, repoRoot, TESTBENCH } from './hls-sources.ts';

/** The Vitis HLS release the generated Tcl and pragmas are written for. */
export const VITIS_HLS_VERSION = '2023.2';
export const VITIS_HLS_MIN_VERSION = '2022.2';

export interface HlsExportOptions {
  board: string;
  config: HwConfig;
  outDir: string;
  /** Number of testbench vectors (default: all golden vectors, or 50 random programs). */
  vectors?: number;
  /** Project and solution names in the Tcl (default cnna_hls / solution1). */
  project?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface HlsExportResult {
  dir: string;
  configHash: string;
  part: string;
  clockPeriodNs: number;
  tcl: string;
  files: string[];
  vectors: { count: number; source: 'golden-vectors' | 'random-programs'; checks: number };
  ddrDepthWords: number;
}

interface Vector {
  name: string;
  bundle: Bundle;
  /** Input images (int16, ONNX element order) by input name. */
  inputs: Record<string, Int16Array>;
  /** Expected outputs (int16, ONNX element order) by output name. */
  expected: Record<string, Int16Array>;
  /** A batch bundle: images 1 … N−1 (image 0 is inputs / expected), at each tensor's imageStride. */
  more?: { inputs: Record<string, Int16Array>; expected: Record<string, Int16Array> }[];
}

const TB_BASE = 4096;  // hls/tb/tb_cnna.cpp kBase

function i16(file: string): Int16Array {
  const b = readFileSync(file);
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function goldenVectors(config: HwConfig, limit: number | undefined): Vector[] | undefined {
  const dir = join(repoRoot, 'test', 'vectors', 'engine');
  const indexFile = join(dir, 'index.json');
  if (!existsSync(indexFile)) return undefined;
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { configHash: string };
  if (index.configHash !== configHash(config)) return undefined;
  const cases = readdirSync(dir).filter((d) => d.startsWith('case-')).sort().slice(0, limit);
  return cases.map((c) => {
    const bundle = readBundle(join(dir, c));
    const inputs: Record<string, Int16Array> = {};
    const expected: Record<string, Int16Array> = {};
    for (const io of bundle.manifest.inputs) inputs[io.name] = i16(join(dir, c, `in-${io.name}.bin`));
    for (const io of bundle.manifest.outputs) expected[io.name] = i16(join(dir, c, `out-${io.name}.bin`));
    return { name: c, bundle, inputs, expected };
  });
}

/** A seeded 3x3 stride-1 conv layer (random pads 0..2, sizes, ReLU, max pool or none) as Winograd jobs. */
function winogradVector(config: HwConfig, seed: number): Vector {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const pads: [number, number, number, number] = [int(0, 2), int(0, 2), int(0, 2), int(0, 2)];
  const C = int(1, 40), M = int(1, 2 * config.array.po);
  const H = Math.max(1, 3 - pads[0] - pads[2]) + int(0, 9), W = Math.max(1, 3 - pads[1] - pads[3]) + int(0, 9);
  const OH = H + pads[0] + pads[2] - 2, OW = W + pads[1] + pads[3] - 2;
  const pooled = OH >= 2 && OW >= 2 && r() < 0.5;
  const [PH, PW] = pooled ? [Math.floor(OH / 2), Math.floor(OW / 2)] : [OH, OW];
  const qm: QuantizedModel = {
    graph: {
      name: `wino-${seed}`, opset: 13, inputs: [{ name: 'x', shape: [1, C, H, W] }], outputs: [{ name: 'y', shape: [1, M, PH, PW] }], initializers: new Map(),
      nodes: [{
        op: 'conv', name: 'conv', inputs: ['x', 'w', 'b'], outputs: ['y'], kernel: [3, 3], strides: [1, 1], pads, dilations: [1, 1], group: 1,
        activation: { kind: 'relu' },
        pool: pooled ? { kind: 'max', ceilMode: false, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1] } : undefined,
      }],
      shapes: new Map([['x', [1, C, H, W]], ['y', [1, M, PH, PW]]]),
    },
    formats: new Map([['x', 14], ['y', 12]]),
    weights: new Map([['conv', { q: Int16Array.from({ length: M * C * 9 }, () => int(-32768, 32767)), dims: [M, C, 3, 3], wf: [15] }]]),
    biases: new Map([['conv', { q: Float64Array.from({ length: M }, () => int(-(2 ** 30), 2 ** 30)) }]]),
    constants: new Map(), options: { format: 'auto', perChannel: false, calibration: 'test' }, report: [],
  };
  const x = Int16Array.from({ length: C * H * W }, () => int(-32768, 32767));
  const bundle = compileBundle(qm, config, { winograd: 'always', name: `wino-${seed}` });
  const ref = runBundle(bundle, {}, { config, rawInputs: { x } });
  return { name: `wino-${seed}`, bundle, inputs: { x }, expected: { y: ref.raw.y.q } };
}

/**
 * A batch bundle (docs/bundle-format.md "Batch"): an FC model at batch 3 whose input (3 images) exceeds the
 * input bank, so its first layer runs as BATCH jobs in chunks whose sums carry (ACC_OUT / ACC_IN).
 */
function batchVector(config: HwConfig, seed: number): Vector {
  const r = mulberry32(seed);
  const { pi } = config.array;
  const K = (Math.floor(config.buffers.inputBankEntries / 3) + 2) * pi;
  const rnd = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
  const onnx = buildModel({
    name: `batch-${seed}`, opset: 13,
    inputs: [{ name: 'x', dims: ['batch', K] }],
    outputs: [{ name: 'y', dims: ['batch', 10] }],
    initializers: [
      { name: 'w1', dims: [24, K], data: rnd(24 * K, 2 / Math.sqrt(K)) }, { name: 'b1', dims: [24], data: rnd(24, 0.1) },
      { name: 'w2', dims: [10, 24], data: rnd(240, 0.3) }, { name: 'b2', dims: [10], data: rnd(10, 0.1) },
    ],
    nodes: [
      { op: 'Gemm', name: 'fc1', inputs: ['x', 'w1', 'b1'], outputs: ['h'], attrs: { transB: 1 } },
      { op: 'Relu', name: 'relu', inputs: ['h'], outputs: ['hr'] },
      { op: 'Gemm', name: 'fc2', inputs: ['hr', 'w2', 'b2'], outputs: ['y'], attrs: { transB: 1 } },
    ],
  });
  const images = Array.from({ length: 3 }, () => rnd(K, 1));
  const qm = quantize(optimize(importOnnx(onnx)), { calibration: [{ dims: [3, K], data: Float32Array.from(images.flatMap((t) => [...t])) }], report: false });
  const bundle = compileBundle(qm, config, { batch: 3, name: `batch-${seed}` });
  const f = bundle.manifest.inputs[0].f;
  const raw = images.map((t) => ({ x: Int16Array.from(t, (v) => quant(v, f)) }));
  const ref = runBundle(bundle, {}, { config, rawInputs: raw });
  const out = (n: number) => Object.fromEntries(Object.entries(ref.images[n].raw).map(([k, v]) => [k, v.q]));
  return { name: `batch-${seed}`, bundle, inputs: raw[0], expected: out(0), more: [1, 2].map((n) => ({ inputs: raw[n], expected: out(n) })) };
}

function randomVectors(config: HwConfig, count: number): Vector[] {
  return Array.from({ length: count }, (_, i) => {
    if (config.array.winograd && i % 2 === 1) return winogradVector(config, 1000 + i);
    if (i === 2) return batchVector(config, 1000 + i);
    const c = randomCase(config, 1000 + i);
    const ref = runBundle(c.bundle, {}, { config, rawInputs: { x: c.input } });
    return { name: `random-${1000 + i}`, bundle: c.bundle, inputs: { x: c.input }, expected: Object.fromEntries(Object.entries(ref.raw).map(([k, v]) => [k, v.q])) };
  });
}

/** The DDR image of a vector (descriptors, weights, inputs) and its output checks (word index from BASE, value). */
function layoutVector(v: Vector, pi: number): { image: Uint8Array; idx: Uint32Array; val: Int16Array } {
  const m = v.bundle.manifest;
  const image = new Uint8Array(m.memoryMap.ddrBytes + (m.memoryMap.ddrBytes & 1));
  image.set(v.bundle.descriptors, m.descriptors.offset);
  image.set(v.bundle.weights, m.params.offset);
  const w16 = new Int16Array(image.buffer);
  const idxs: number[] = [];
  const vals: number[] = [];
  [{ inputs: v.inputs, expected: v.expected }, ...(v.more ?? [])].forEach((img, n) => {
    for (const io0 of m.inputs) {
      const io = imageIo(io0, n);
      const src = img.inputs[io.name];
      const idx = elementIndex(io, pi);
      for (let k = 0; k < src.length; k++) w16[(io.layout.offset >> 1) + idx(k)] = src[k];
    }
    for (const io0 of m.outputs) {
      const io = imageIo(io0, n);
      const want = img.expected[io.name];
      const idx = elementIndex(io, pi);
      for (let k = 0; k < want.length; k++) { idxs.push((io.layout.offset >> 1) + idx(k)); vals.push(want[k]); }
    }
  });
  return { image, idx: Uint32Array.from(idxs), val: Int16Array.from(vals) };
}

/** The Vitis HLS script: the flow of the issue, in order, from the config. */
export function hlsTcl(o: { part: string; clockMhz: number; project: string; configHash: string; ddrDepthWords: number; cosimCases: number }): string {
  const period = (1000 / o.clockMhz).toFixed(3);
  const cflags = `-std=c++14 -Isrc -Isrc/include -DCNNA_DDR_DEPTH=${o.ddrDepthWords}`;
  return `# Generated by cnna hls export (sim/hls/export-project.ts) for config ${o.configHash}. Do not edit.
# Vitis HLS ${VITIS_HLS_VERSION} (pragmas need ${VITIS_HLS_MIN_VERSION} or later): vitis_hls -f run_hls.tcl
open_project -reset ${o.project}
set_top cnna_top
add_files src/cnna_top.cpp -cflags "${cflags}"
add_files -tb tb/tb_cnna.cpp -cflags "${cflags} -Wno-unknown-pragmas"
add_files -tb tb/vectors
open_solution -reset solution1 -flow_target vivado
set_part {${o.part}}
create_clock -period ${period} -name default
# C simulation on every vector, synthesis, RTL co-simulation on the first ${o.cosimCases} (it is slow), IP export.
csim_design -argv {vectors}
csynth_design
cosim_design -argv {vectors --max ${o.cosimCases}}
export_design -format ip_catalog
exit
`;
}

export function exportHlsProject(o: HlsExportOptions): HlsExportResult {
  const board = boardByName(o.board);
  checkConfigBoard(o.config, board, 'the hardware config');
  const hash = configHash(o.config);
  const out = resolve(o.outDir);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new CnnaError('E_USAGE', `hls export: ${out} is a file, not a directory`, { hint: 'pass a new or empty directory with -o' });
    if (readdirSync(out).length > 0 && !existsSync(join(out, 'run_hls.tcl'))) {
      throw new CnnaError('E_USAGE', `hls export: ${out} exists and is not an exported HLS project`, { hint: 'pass a new or empty directory with -o (an earlier export is replaced)' });
    }
  } else if (!existsSync(dirname(out))) {
    throw new CnnaError('E_IO', `hls export: the parent directory of ${out} does not exist`, { hint: `create ${dirname(out)} first` });
  }
  // The project is written into a private directory beside the target and renamed into place at the
  // end, so an interrupted export leaves no half-written project.
  const dir = `${out}.tmp-${process.pid}`;
  rmSync(dir, { recursive: true, force: true });
  try {
    return writeProject(o, board, hash, dir, out);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

function writeProject(o: HlsExportOptions, board: { name: string; part: string }, hash: string, dir: string, out: string): HlsExportResult {
  const files: string[] = [];
  const put = (rel: string, data: string | Uint8Array) => {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
    files.push(rel);
  };
  for (const f of hlsEngineSources()) {
    mkdirSync(dirname(join(dir, 'src', f)), { recursive: true });
    copyFileSync(join(hlsDir, f), join(dir, 'src', f));
    files.push(join('src', f));
  }
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeHlsHeaders(o.config, join(dir, 'src'));
  files.push('src/cnna_config.h', 'src/cnna_regs.h');
  mkdirSync(join(dir, 'tb'), { recursive: true });
  copyFileSync(join(hlsDir, TESTBENCH), join(dir, 'tb', 'tb_cnna.cpp'));
  files.push('tb/tb_cnna.cpp');

  const golden = goldenVectors(o.config, o.vectors);
  const vectors = golden ?? randomVectors(o.config, o.vectors ?? 50);
  const index: string[] = [];
  let checks = 0;
  let maxBytes = 0;
  vectors.forEach((v, i) => {
    const { image, idx, val } = layoutVector(v, o.config.array.pi);
    put(`tb/vectors/${v.name}.ddr`, image);
    const chk = new Uint8Array(idx.length * 6);
    chk.set(new Uint8Array(idx.buffer), 0);
    chk.set(new Uint8Array(val.buffer), idx.length * 4);
    put(`tb/vectors/${v.name}.chk`, chk);
    index.push(`${v.name} ${image.length} ${v.bundle.manifest.descriptors.count} ${idx.length}`);
    checks += idx.length;
    maxBytes = Math.max(maxBytes, image.length);
    o.onProgress?.(i + 1, vectors.length);
  });
  put('tb/vectors/index.txt', `${index.join('\n')}\n`);
  const ddrDepthWords = Math.ceil((TB_BASE + maxBytes) / 2);
  const tcl = hlsTcl({ part: board.part, clockMhz: o.config.clockMhz, project: o.project ?? 'cnna_hls', configHash: hash, ddrDepthWords, cosimCases: 2 });
  put('run_hls.tcl', tcl);
  put('config.json', `${JSON.stringify(o.config, null, 2)}\n`);
  const source = golden ? 'golden-vectors' : 'random-programs';
  put('README.md', exportReadme({ board: board.name, part: board.part, clockMhz: o.config.clockMhz, hash, count: vectors.length, source, winograd: !!o.config.array.winograd }));
  rmSync(out, { recursive: true, force: true });
  renameSync(dir, out);
  return {
    dir: out, configHash: hash, part: board.part, clockPeriodNs: 1000 / o.config.clockMhz, tcl: join(out, 'run_hls.tcl'),
    files: files.sort(), vectors: { count: vectors.length, source, checks }, ddrDepthWords,
  };
}

function exportReadme(o: { board: string; part: string; clockMhz: number; hash: string; count: number; source: string; winograd: boolean }): string {
  return `# cnna HLS engine: Vitis HLS project

Exported by \`cnna hls export --board ${o.board}\` for hardware config \`${o.hash}\` (config.json):
part \`${o.part}\`, ${o.clockMhz} MHz.

| Path | What |
| --- | --- |
| \`src/\` | the engine: top \`cnna_top\` (cnna_top.cpp), one kernel per file in \`kernels/\`, the type layer in \`include/\`; \`cnna_config.h\` and \`cnna_regs.h\` are generated from the config and the register map |
| \`tb/tb_cnna.cpp\` | C-simulation testbench: runs every vector of \`tb/vectors/\` through \`cnna_top\` and checks status, job count and every output value |
| \`tb/vectors/\` | ${o.count} vectors (${o.source === 'golden-vectors' ? 'the shared golden vectors: expected outputs from the golden model' : `seeded random programs (the third a batch bundle of 3 images${o.winograd ? ', every second one a Winograd layer' : ''}): expected outputs from the executable spec sim/ref`}) |
| \`run_hls.tcl\` | Vitis HLS flow: csim_design, csynth_design, cosim_design (first 2 vectors), export_design -format ip_catalog |

Targets **Vitis HLS ${VITIS_HLS_VERSION}** (the INTERFACE pragma syntax needs ${VITIS_HLS_MIN_VERSION} or later):

    vitis_hls -f run_hls.tcl

The C-simulation also runs without Vitis, with g++ (GCC 12 tested; no vendor headers needed):

    g++ -std=c++17 -O2 -Isrc -Isrc/include -Wno-unknown-pragmas src/cnna_top.cpp tb/tb_cnna.cpp -o tb_cnna && ./tb_cnna tb/vectors

Registers: Vitis places its ap_ctrl block at 0x00-0x0C (start/done/idle as the contract's CTRL bits 0..2)
and the arguments at the contract's offsets: base (64 bit) at BASE_LO/BASE_HI, status at STATUS, jobs at
JOBS; counters and CONFIG_ID read 0 (docs/engine.md, "HLS engine").
`;
}
