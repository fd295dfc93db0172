// The performance model (sim/perf) against the RTL's cycle counter: a fixed set of configs and programs
// run on the Verilator model, with the modeled and the simulated cycles of each run and of each layer.
// Shared by the CI test (rtl-perf-model.test.ts, which asserts |model - RTL| / RTL <= 3 % per run) and
// `node --import tsx scripts/calibrate-perf.ts --points` (prints the table, for re-calibrating
// sim/perf/rtl-timing.ts after an RTL change).
// The configs are those other RTL tests build anyway (the Ultra96 default and the template configs),
// so in CI they cost simulation time only; the script adds the sweep's verified points (SWEEP_CHECK_POINTS).
import { resolve } from 'node:path';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import type { Bundle } from '../../compiler/contracts/bundle-format.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { buildZooModel, zooModel } from '../../models/zoo/index.ts';
import { modelBundle } from '../perf/model-bundle.ts';
import { randomCase } from './random-bundle.ts';
import { repoRoot } from './rtl-sources.ts';
import { runBundlesRtl } from './run-rtl.ts';
import { TEMPLATE_CONFIGS } from './template-configs.ts';

export interface PerfCheckPoint {
  name: string;
  config: HwConfig;
  /** Models: 'fashion_cnn' (models/default), a zoo name, or 'random:SEED' (a seeded single-layer program). */
  programs: string[];
}

const sweepBest = (ports: 1 | 2): HwConfig => {
  const d = defaultConfig();
  return validateConfig({
    ...d, clockMhz: 250, array: { pi: 8, po: 16 }, buffers: { inputBankEntries: 2048, weightBankWords: 160, outputFifoEntries: 512 },
    axi: { ...d.axi, ports },
  }, 'perf-check config');
};
const template = (prefix: string): HwConfig => {
  const t = TEMPLATE_CONFIGS.find(([n]) => n.startsWith(prefix));
  if (!t) throw new Error(`perf-check: no template config '${prefix}'`);
  return t[1];
};

/**
 * The points the CI test checks (each program on the config of its row). allconv (CIFAR-shaped, strided
 * and 1x1 convs, global average pooling, 1.2 M cycles) runs on the default config only: on the small
 * arrays it is tens of millions of cycles.
 */
export const PERF_CHECK_POINTS: PerfCheckPoint[] = [
  { name: 'ultra96 default (16x16, 2 ports)', config: defaultConfig(), programs: ['fashion_cnn', 'allconv', 'random:11', 'random:12'] },
  { name: 'template pi8 po16 (2 lane groups)', config: template('pi8 po16'), programs: ['fashion_cnn', 'random:16', 'random:17'] },
  { name: 'template pi16 po32 (2 lane groups)', config: template('pi16 po32'), programs: ['fashion_cnn', 'random:13'] },
  { name: 'template pi8 po8, AXI 64, burst 8, 150 MHz', config: template('pi8 po8, AXI 64'), programs: ['fashion_cnn', 'random:14'] },
  { name: 'template pi16 po48, AXI 256, 1 port, burst 256', config: template('pi16 po48'), programs: ['fashion_cnn', 'random:15'] },
];

/** The verified points of the docs' sweep (docs/sweep.md): the best fashion_cnn configs on the Ultra96. */
export const SWEEP_CHECK_POINTS: PerfCheckPoint[] = [
  { name: 'sweep best, 8x16 at 250 MHz, 1 port', config: sweepBest(1), programs: ['fashion_cnn', 'random:18'] },
  { name: 'sweep best, 8x16 at 250 MHz, 2 ports', config: sweepBest(2), programs: ['fashion_cnn', 'random:18'] },
];

export interface PerfCheckRow {
  point: string;
  program: string;
  rtl: number;
  modeled: number;
  /** (modeled - rtl) / rtl, in percent. */
  errorPct: number;
  layers: { name: string; rtl: number; modeled: number }[];
}

function fashionInput(): Tensor {
  const n = 28 * 28;
  return { dims: [1, 1, 28, 28], data: Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5) };
}

function program(name: string, config: HwConfig): { bundle: Bundle; tensors?: Record<string, Tensor>; raw?: Record<string, Int16Array> } {
  if (name.startsWith('random:')) {
    const rc = randomCase(config, Number(name.slice(7)));
    return { bundle: rc.bundle, raw: { [rc.bundle.manifest.inputs[0].name]: rc.input } };
  }
  const g = name === 'fashion_cnn'
    ? optimize(importOnnx(resolve(repoRoot, 'models/default/fashion_cnn.onnx')))
    : optimize(importOnnx(buildZooModel(zooModel(name), 1).toBytes()));
  const qm = quantize(g, { calibrationImages: 1, report: false });
  const bundle = compileBundle(qm, config, { name });
  const io = g.inputs[0];
  const dims = bundle.manifest.inputs[0].shape;
  const n = dims.reduce((a, b) => a * b, 1);
  const x = name === 'fashion_cnn' ? fashionInput() : { dims, data: Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5) };
  return { bundle, tensors: { [io.name]: x } };
}

/** Runs every program of `point` on the RTL (one simulation process) and models it. */
export async function runPerfCheck(point: PerfCheckPoint, onLog?: (s: string) => void): Promise<PerfCheckRow[]> {
  const progs = point.programs.map((p) => ({ name: p, ...program(p, point.config) }));
  const r = await runBundlesRtl(progs.map((p) => ({ bundle: p.bundle, inputSets: [{ tensors: p.tensors, raw: p.raw }] })), { config: point.config, onLog });
  return progs.map((p, i) => {
    const rtl = r.results[i][0];
    const m = modelBundle(p.bundle, point.config);
    return {
      point: point.name, program: p.name, rtl: rtl.cycles, modeled: m.cycles,
      errorPct: (100 * (m.cycles - rtl.cycles)) / rtl.cycles,
      layers: rtl.perLayer.map((l, k) => ({ name: l.name, rtl: l.cycles, modeled: m.perLayer[k].cycles })).filter((l) => l.rtl || l.modeled),
    };
  });
}
