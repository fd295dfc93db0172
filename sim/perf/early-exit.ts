// Early-exit (BranchyNet-style) cascades: a model with a side classifier (`exit`) after an early
// block and the full classifier (`final`). At inference the host runs the layers the exit needs,
// takes the exit's softmax maximum as its confidence, and answers with the exit when that reaches
// the threshold T; otherwise it runs the remaining layers and answers with the final classifier.
// This file evaluates a cascade: the fixed-point golden outputs of both heads, which images exit,
// the accuracy, and the mean modeled latency (the performance model's cycles of the exit's layers
// for an exiting image, of every layer otherwise). docs/engine.md "Early exit" has the figures.
import type { Bundle } from '../../compiler/contracts/bundle-format.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { toBatch, type ImageSet } from '../../compiler/data/preprocess.ts';
import { exitConfidence } from '../run-segments.ts';
import { modelBundle } from './model-bundle.ts';

export interface CascadePaths {
  /** Manifest layers the exit head depends on (run before the decision). */
  exitLayers: string[];
  exitCycles: number;
  /** Every layer: an image that does not exit ran the exit head too. */
  fullCycles: number;
  clockHz: number;
}

/** Modeled cycles of the exit path and of the whole model: the ancestors of `exitOutput` in the graph, summed over the manifest's layers. */
export function cascadePaths(qm: QuantizedModel, bundle: Bundle, config: HwConfig, exitOutput: string): CascadePaths {
  const g = qm.graph;
  if (!g.outputs.some((o) => o.name === exitOutput)) throw new CnnaError('E_USAGE', `'${exitOutput}' is not an output of the model (outputs: ${g.outputs.map((o) => o.name).join(', ')})`);
  const producer = new Map(g.nodes.map((n) => [n.outputs[0], n]));
  const need = new Set<string>();
  const stack = [exitOutput];
  while (stack.length > 0) {
    const n = producer.get(stack.pop()!);
    if (!n || need.has(n.name)) continue;
    need.add(n.name);
    stack.push(...n.inputs);
  }
  const perf = modelBundle(bundle, config);
  const exitLayers = perf.perLayer.filter((l) => need.has(l.name));
  return {
    exitLayers: exitLayers.map((l) => l.name),
    exitCycles: exitLayers.reduce((a, l) => a + l.cycles, 0),
    fullCycles: perf.cycles,
    clockHz: config.clockMhz * 1e6,
  };
}

// The exit's confidence is the cascade runner's own (one rule for the evaluation and the run).
export { exitConfidence };

function argmax(q: Int16Array): number {
  let best = 0;
  for (let k = 1; k < q.length; k++) if (q[k] > q[best]) best = k;
  return best;
}

export interface CascadeImage { exit: Int16Array; exitF: number; final: Int16Array; finalF: number; label: number }

export interface CascadeRow {
  threshold: number;
  images: number;
  /** Images answered by the exit head. */
  exited: number;
  correct: number;
  accuracy: number;
  meanCycles: number;
  meanLatencyMs: number;
}

/** Accuracy and mean modeled latency of the cascade at each threshold. */
export function evaluateCascade(images: CascadeImage[], thresholds: number[], paths: CascadePaths): CascadeRow[] {
  const conf = images.map((im) => exitConfidence(im.exit, im.exitF));
  return thresholds.map((t) => {
    let exited = 0;
    let correct = 0;
    images.forEach((im, i) => {
      const early = conf[i] >= t;
      if (early) exited++;
      if (argmax(early ? im.exit : im.final) === im.label) correct++;
    });
    const cycles = exited * paths.exitCycles + (images.length - exited) * paths.fullCycles;
    const meanCycles = cycles / images.length;
    return { threshold: t, images: images.length, exited, correct, accuracy: correct / images.length, meanCycles, meanLatencyMs: (meanCycles / paths.clockHz) * 1e3 };
  });
}

/** Golden int16 outputs of both heads for `count` labelled images from `start`, in batches. */
export function cascadeImages(qm: QuantizedModel, set: ImageSet, start: number, count: number, exitOutput: string, finalOutput: string, batch = 250): CascadeImage[] {
  const input = qm.graph.inputs[0].name;
  const out: CascadeImage[] = [];
  for (let s = start; s < start + count; s += batch) {
    const n = Math.min(batch, start + count - s);
    const r = runFixed(qm, { [input]: toBatch(set, s, n) });
    const e = r.raw[exitOutput];
    const f = r.raw[finalOutput];
    if (!e || !f) throw new CnnaError('E_USAGE', `the model has no output '${!e ? exitOutput : finalOutput}'`);
    const ce = e.q.length / n;
    const cf = f.q.length / n;
    for (let i = 0; i < n; i++) {
      out.push({ exit: e.q.slice(i * ce, (i + 1) * ce), exitF: e.f, final: f.q.slice(i * cf, (i + 1) * cf), finalF: f.f, label: set.labels[s + i] });
    }
  }
  return out;
}
