// Early-exit cascades in the CLI (bundles compiled with `cnna compile --exit OUTPUT`): the
// --exit-threshold flag of accuracy, simulate and infer, the refusal of a threshold for a bundle
// without exits, the output that answers an image, and the per-exit report (the images that left at
// each exit or ran every segment, their top-1, their mean engine cycles and latency). The exit
// decision itself is sim/run-segments.ts's (runSegments with `exitThreshold`); this file only counts.
import type { Bundle } from '../compiler/contracts/bundle-format.ts';
import { CnnaError } from '../compiler/errors/cnna-error.ts';
import { exitOutputs } from '../sim/run-segments.ts';

export const EXIT_THRESHOLD_OPTIONS = { 'exit-threshold': { type: 'string' } } as const;

/** T in [0, 1], else E_USAGE (the same words for every command). */
export function parseExitThreshold(s: string): number {
  const t = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(s) ? Number(s) : NaN;
  if (!(t >= 0 && t <= 1)) throw new CnnaError('E_USAGE', `--exit-threshold '${s}' is not a number in [0, 1]`, { hint: 'an image leaves at an early exit when the exit\'s softmax maximum is at least T: 0 always exits, 1 only when certain' });
  return t;
}

/** The --exit-threshold flag, if given. */
export function exitThresholdFlag(values: Record<string, unknown>): number | undefined {
  return values['exit-threshold'] === undefined ? undefined : parseExitThreshold(String(values['exit-threshold']));
}

/** A bundle's early exits; a threshold for a bundle without any is refused (E_USAGE, `command:` first). */
export function cascadeExits(bundle: Bundle, threshold: number | undefined, command: string): string[] {
  const exits = exitOutputs(bundle);
  if (threshold !== undefined && exits.length === 0) {
    throw new CnnaError('E_USAGE', `${command}: bundle '${bundle.manifest.model}' has no early exits, so --exit-threshold has nothing to decide`, {
      hint: `compile the model with an exit on one of its graph outputs (${bundle.manifest.outputs.map((o) => o.name).join(', ')}): cnna compile model.onnx --exit OUTPUT -o DIR; or drop --exit-threshold`,
    });
  }
  return exits;
}

/** The output that answers an image: the exit it left at, else the first graph output that is not an early exit's. */
export function answerOutput(outputs: readonly { name: string }[], exits: readonly string[], exit: string | null | undefined): string {
  if (exit) return exit;
  return (outputs.find((o) => !exits.includes(o.name)) ?? outputs[0]).name;
}

export interface ExitRow {
  /** The exit the images left at, or null: they ran every segment. */
  exit: string | null;
  /** The output that answered them. */
  answer: string;
  images: number;
  /** Top-1 of these images (null without labels or without images). */
  correct: number | null;
  accuracy: number | null;
  /** Mean engine cycles of these images (null when none left here). */
  meanCycles: number | null;
  meanLatencyMs: number | null;
}

export interface CascadeReport {
  threshold: number;
  /** One row per early exit (bundle order), then the images that ran every segment. */
  exits: ExitRow[];
  images: number;
  correct: number | null;
  accuracy: number | null;
  meanCycles: number;
  meanLatencyMs: number;
}

/** Counts images by the exit they took: their number, correct answers and engine cycles. */
export class CascadeTally {
  private readonly rows: { exit: string | null; answer: string; images: number; correct: number; cycles: number }[];

  constructor(outputs: readonly { name: string }[], exits: readonly string[], private readonly threshold: number, private readonly clockMhz: number, private readonly labelled: boolean) {
    this.rows = [...exits, null].map((exit) => ({ exit, answer: answerOutput(outputs, exits, exit), images: 0, correct: 0, cycles: 0 }));
  }

  /** One image: the exit it took (undefined / null: every segment ran), its engine cycles, whether its answer was right. */
  add(exit: string | null | undefined, cycles: number, correct = false): void {
    const r = this.rows.find((x) => x.exit === (exit ?? null));
    if (!r) throw new CnnaError('E_BUNDLE', `the run left at '${exit}', which is not an early exit of the bundle`);
    r.images++;
    r.cycles += cycles;
    if (correct) r.correct++;
  }

  report(): CascadeReport {
    const ms = (cycles: number) => cycles / (this.clockMhz * 1e3);
    const images = this.rows.reduce((a, r) => a + r.images, 0);
    const correct = this.rows.reduce((a, r) => a + r.correct, 0);
    const cycles = this.rows.reduce((a, r) => a + r.cycles, 0);
    const meanCycles = images ? cycles / images : 0;
    return {
      threshold: this.threshold,
      exits: this.rows.map((r) => {
        const mean = r.images ? r.cycles / r.images : null;
        return {
          exit: r.exit, answer: r.answer, images: r.images,
          correct: this.labelled ? r.correct : null,
          accuracy: this.labelled && r.images ? r.correct / r.images : null,
          meanCycles: mean, meanLatencyMs: mean === null ? null : ms(mean),
        };
      }),
      images,
      correct: this.labelled ? correct : null,
      accuracy: this.labelled && images ? correct / images : null,
      meanCycles,
      meanLatencyMs: ms(meanCycles),
    };
  }
}

/** The report as text lines: one per exit, then the images that ran every segment, then all images. */
export function cascadeLines(r: CascadeReport): string[] {
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(2)}%`;
  const row = (label: string, images: number, correct: number | null, meanCycles: number | null, meanMs: number | null, share: boolean) =>
    `    ${label.padEnd(32)} ${String(images).padStart(6)} images${share ? ` (${(r.images ? ((100 * images) / r.images).toFixed(1) : '0.0').padStart(5)}%)` : ' '.repeat(9)}`
    + (correct !== null && images ? `  top-1 ${pct(correct, images)} (${correct}/${images})` : '')
    + (meanCycles !== null && meanMs !== null ? `  mean ${meanCycles.toFixed(1)} cycles = ${meanMs.toFixed(4)} ms` : '');
  return [
    `  early exits at T = ${r.threshold} (an image leaves at the first exit whose softmax maximum is at least T):`,
    ...r.exits.map((e) => row(e.exit === null ? `ran every segment ('${e.answer}')` : `left at exit '${e.exit}'`, e.images, e.correct, e.meanCycles, e.meanLatencyMs, true)),
    row('all', r.images, r.correct, r.meanCycles, r.meanLatencyMs, false),
  ];
}
