// Quantization-aware training with cnna's own arithmetic in the forward pass.
//
// Each step:
//  1. the float master weights are quantized exactly as `cnna compile` would (compiler/quant
//     quantize() with the current formats fixed), giving a QuantizedModel;
//  2. the golden fixed-point model runs the batch (runFixed, keepAll) — so the forward pass is
//     bit for bit what the accelerator computes;
//  3. the tfjs float graph (tf-forward.ts) runs the same batch, and at every rounding point (every
//     int16 value: inputs, conv/FC outputs after requantize, activation and pool, adds, concats)
//     its value is replaced by the golden value, with a straight-through gradient that is zero where
//     the float value lies outside the format's range (saturation);
//  4. the loss (softmax cross-entropy on the golden logits) is differentiated by tfjs and Adam
//     updates the float master weights.
// Formats: 'auto' activations are re-chosen at the end of every epoch from the largest |x| each
// value reached in that epoch's float forward passes (the quantizer's rule, chooseF); a fixed
// format (--format Qm.n) never changes. Weight formats follow the quantizer (auto from each
// layer's current weights every step, or fixed).
import * as tf from '@tensorflow/tfjs';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { Graph, Tensor } from '../../compiler/ir/graph.ts';
import { chooseF } from '../../compiler/golden/fixed/fixed-point.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { GoldenThreads } from '../../compiler/golden/fixed/run-fixed-parallel.ts';
import type { RunFixedOptions, RunFixedResult } from '../../compiler/golden/fixed/interpret.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { lowerForFixedPoint } from '../../compiler/quant/lower.ts';
import { tsWorker } from '../../compiler/golden/fixed/run-fixed-parallel.ts';
import type { Worker } from 'node:worker_threads';
import { checkTrainable, forward, toInside, type Params } from './tf-forward.ts';
import { shardGrads, type FakeQuantFormats, type ShardResult } from './fake-quant.ts';
import type { QatWorkerReply, QatWorkerRequest } from './qat-worker.ts';

export interface QatOptions {
  /** 'auto' or fixed fractional bits for every activation. */
  format: 'auto' | number;
  /** 'auto' or fixed fractional bits for every weight. */
  weightFormat: 'auto' | number;
  perChannel: boolean;
  lr: number;
  /**
   * The forward pass training differentiates: 'fake' (default), cnna's arithmetic emulated in
   * float32 tfjs ops (fake-quant.ts; a conv output can be 1 LSB off where float32 summation
   * crosses a rounding boundary); 'golden', the golden model's exact values injected (bit for bit
   * the engine, several times slower).
   */
  forward?: 'fake' | 'golden';
  /**
   * 'fake' forward: each batch is split into this many shards whose gradients are summed in a
   * fixed order (default 2). The shards are spread over the threads (useThreads), so the weights
   * do not depend on the thread count.
   */
  shards?: number;
}

let instances = 0;

export class QatModel {
  /** The lowered graph training runs on; its conv/gemm weights and biases are the trainable parameters. */
  readonly graph: Graph;
  readonly vars = new Map<string, tf.Variable>();
  /** Current activation formats (every int16 value). */
  formats = new Map<string, number>();
  /** Current weight formats per conv / gemm node (one, or one per output channel); re-chosen at the end of an epoch when 'auto'. */
  weightFormats = new Map<string, number[]>();
  private workers: Worker[] = [];
  private readonly consts: Params = new Map();
  private readonly epochAmax = new Map<string, number>();
  private readonly optimizer: tf.Optimizer;
  private qmCache: QuantizedModel | undefined;
  private golden: GoldenThreads | undefined;
  /** CPU seconds (process.cpuUsage) spent per phase of step(), summed over steps: for benchmarks. */
  readonly timing = { quantize: 0, golden: 0, tfjs: 0, wait: 0 };

  constructor(optimized: Graph, initialFormats: Map<string, number>, readonly opts: QatOptions) {
    this.graph = lowerForFixedPoint(optimized);
    checkTrainable(this.graph);
    if (this.graph.inputs.length !== 1) throw new CnnaError('E_UNSUPPORTED', `cnna train needs a model with one input, this one has ${this.graph.inputs.length}`);
    for (const n of this.graph.nodes) {
      if (n.op !== 'conv' && n.op !== 'gemm') continue;
      for (const name of n.inputs.slice(1)) {
        const t = this.graph.initializers.get(name);
        // tfjs variable names are global: each model gets its own prefix.
        if (t && !this.vars.has(name)) this.vars.set(name, tf.variable(tf.tensor(t.data, t.dims), true, `qat${instances}_p${this.vars.size}`));
      }
    }
    instances++;
    this.formats = new Map(initialFormats);
    this.chooseWeightFormats();
    this.optimizer = tf.train.adam(opts.lr);
  }

  /** Weight formats from the current master weights (the quantizer's rule, or the fixed format). */
  private chooseWeightFormats(): void {
    const qm = quantize(this.currentGraph(), { fixedFormats: { activations: Object.fromEntries(this.formats) }, weightFormat: this.opts.weightFormat, perChannel: this.opts.perChannel, report: false });
    this.weightFormats = new Map([...qm.weights].map(([k, w]) => [k, w.wf.slice()]));
    this.qmCache = undefined;
  }

  private fqFormats(): FakeQuantFormats {
    return { activations: new Map(this.formats), weights: new Map(this.weightFormats) };
  }

  /** The graph with the current master weights as its initializers. */
  currentGraph(): Graph {
    const initializers = new Map(this.graph.initializers);
    for (const [name, v] of this.vars) initializers.set(name, { dims: v.shape.slice(), data: v.dataSync() as Float32Array });
    return { ...this.graph, initializers };
  }

  /** The master weights quantized with the current formats: what cnna compile makes of them. */
  quantized(): QuantizedModel {
    if (this.qmCache) return this.qmCache;
    const activations = Object.fromEntries(this.formats);
    this.qmCache = quantize(this.currentGraph(), {
      fixedFormats: { activations, weights: Object.fromEntries(this.weightFormats) },
      weightFormat: this.opts.weightFormat,
      perChannel: this.opts.perChannel,
      report: false,
    });
    return this.qmCache;
  }

  /**
   * Runs the golden model on `threads` threads (this one included; GoldenThreads splits big layers
   * by output channel). Its results are bit-identical to one thread's, so training is too.
   */
  async useThreads(threads: number, splitMacs?: number): Promise<void> {
    await this.close();
    this.golden = threads > 1 ? new GoldenThreads(threads, splitMacs) : undefined;
    if (this.opts.forward === 'golden') return;
    for (let i = 1; i < Math.min(threads, this.shards()); i++) {
      const w = tsWorker(new URL('./qat-worker.ts', import.meta.url));
      this.workers.push(w);
      await ask(w, { type: 'init', graph: this.graph, formats: this.fqFormats() });
    }
  }

  private shards(): number {
    return this.opts.shards ?? 2;
  }

  /** The golden model on the current quantized weights, on the threads useThreads() set. */
  async runGolden(inputs: Record<string, Tensor>, opts: RunFixedOptions = {}): Promise<RunFixedResult> {
    const qm = this.quantized();
    return this.golden ? this.golden.run(qm, inputs, opts) : runFixed(qm, inputs, opts);
  }

  /** Stops the golden model's worker threads. */
  async close(): Promise<void> {
    await this.golden?.close();
    this.golden = undefined;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }

  /** One optimizer step on a batch (NCHW float32) with integer labels; returns the loss and the correct count of the fixed-point forward pass. */
  async step(x: Tensor, labels: ArrayLike<number>): Promise<{ loss: number; correct: number }> {
    return this.opts.forward === 'golden' ? this.stepGolden(x, labels) : this.stepFake(x, labels);
  }

  /**
   * The fake-quantized step: the batch in shards (contiguous, sizes as equal as possible), shard i
   * on thread i mod threads, gradients summed in shard order in float32, then Adam.
   */
  private async stepFake(x: Tensor, labels: ArrayLike<number>): Promise<{ loss: number; correct: number }> {
    const c0 = process.cpuUsage();
    const n = x.dims[0];
    const per = x.data.length / n;
    const S = Math.max(1, Math.min(this.shards(), n));
    const threads = this.workers.length + 1;
    const formats = this.fqFormats();
    const collect = this.opts.format === 'auto';
    const pieces = Array.from({ length: S }, (_, i) => {
      const a = Math.floor((i * n) / S), b = Math.floor(((i + 1) * n) / S);
      return { x: { dims: [b - a, ...x.dims.slice(1)], data: x.data.slice(a * per, b * per) }, labels: Array.from({ length: b - a }, (_, k) => labels[a + k]) };
    });
    const floatParams = new Map<string, Float32Array>();
    if (threads > 1) for (const [k, v] of this.vars) floatParams.set(k, v.dataSync() as Float32Array);
    const results: (ShardResult | Promise<ShardResult>)[] = new Array(S);
    // The workers' shards first, so they run while this thread computes its own.
    for (let i = 0; i < S; i++) {
      const t = i % threads;
      if (t > 0) results[i] = ask(this.workers[t - 1], { type: 'shard', params: floatParams, x: pieces[i].x, labels: pieces[i].labels, batchSize: n, collectAmax: collect }) as Promise<ShardResult>;
    }
    for (let i = 0; i < S; i += threads) results[i] = shardGrads(this.graph, this.vars, formats, pieces[i].x, pieces[i].labels, n, collect);
    const c1 = process.cpuUsage();
    const done = await Promise.all(results);
    const c2 = process.cpuUsage();
    let loss = 0, correct = 0;
    const sum = new Map<string, Float32Array>();
    for (const r of done) {
      loss += r.loss;
      correct += r.correct;
      for (const [k, gr] of r.grads) {
        const acc = sum.get(k);
        if (!acc) sum.set(k, Float32Array.from(gr));
        else for (let j = 0; j < acc.length; j++) acc[j] += gr[j];
      }
      for (const [v, a] of r.amax) this.epochAmax.set(v, Math.max(this.epochAmax.get(v) ?? 0, a));
    }
    tf.tidy(() => {
      const named: tf.NamedTensorMap = {};
      for (const [k, v] of this.vars) named[v.name] = tf.tensor(sum.get(k)!, v.shape);
      this.optimizer.applyGradients(named);
    });
    this.qmCache = undefined;
    const c3 = process.cpuUsage();
    const sec = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number => (b.user + b.system - a.user - a.system) / 1e6;
    this.timing.tfjs += sec(c0, c1) + sec(c2, c3);
    this.timing.wait += sec(c1, c2);
    if (!Number.isFinite(loss)) throw new CnnaError('E_USAGE', `the training loss became ${loss}`, { hint: 'lower --lr' });
    return { loss, correct };
  }

  /** The step with the golden model's exact values injected into the float pass (forward: 'golden'). */
  private async stepGolden(x: Tensor, labels: ArrayLike<number>): Promise<{ loss: number; correct: number }> {
    const c0 = process.cpuUsage();
    this.quantized();
    const c1 = process.cpuUsage();
    const input = this.graph.inputs[0].name;
    const fx = await this.runGolden({ [input]: x }, { keepAll: true });
    const c2 = process.cpuUsage();
    const classes = this.classes();
    const n = x.dims[0];
    const onehot = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) onehot[i * classes + labels[i]] = 1;
    const amaxes: [string, tf.Tensor][] = [];
    let logitsData: Float32Array | undefined;
    const lossT = tf.tidy(() => {
      const xt = tf.tensor(x.data, x.dims);
      const y = tf.tensor2d(onehot, [n, classes]);
      const varList = [...this.vars.values()];
      const params: Params = new Map([...this.consts, ...this.vars]);
      const { value, grads } = tf.variableGrads(() => {
        const out = forward(this.graph, params, { [input]: xt }, (name, yf) => {
          const raw = fx.raw[name];
          if (!raw) return yf;
          if (this.opts.format === 'auto') amaxes.push([name, tf.keep(tf.max(tf.abs(yf)))]);
          return inject(yf, toInside(tf.tensor(dequant(raw.q, raw.f), raw.dims)), raw.f);
        });
        logitsData = out.logits.dataSync() as Float32Array;
        return tf.losses.softmaxCrossEntropy(y, out.logits) as tf.Scalar;
      }, varList);
      this.optimizer.applyGradients(grads);
      return tf.keep(value);
    });
    const loss = lossT.dataSync()[0];
    lossT.dispose();
    const c3 = process.cpuUsage();
    const sec = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number => (b.user + b.system - a.user - a.system) / 1e6;
    this.timing.quantize += sec(c0, c1);
    this.timing.golden += sec(c1, c2);
    this.timing.tfjs += sec(c2, c3);
    for (const [name, t] of amaxes) {
      const a = t.dataSync()[0];
      t.dispose();
      if (Number.isFinite(a)) this.epochAmax.set(name, Math.max(this.epochAmax.get(name) ?? 0, a));
    }
    this.qmCache = undefined;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < classes; k++) if (logitsData![i * classes + k] > logitsData![i * classes + best]) best = k;
      if (best === labels[i]) correct++;
    }
    if (!Number.isFinite(loss)) throw new CnnaError('E_USAGE', `the training loss became ${loss}`, { hint: 'lower --lr' });
    return { loss, correct };
  }

  /** End of an epoch: 'auto' activation formats are re-chosen from the epoch's ranges. Returns the values whose format changed. */
  endEpoch(): string[] {
    const changed: string[] = [];
    if (this.opts.format === 'auto') {
      for (const [name, amax] of this.epochAmax) {
        const f = chooseF(amax);
        if (this.formats.get(name) !== f) changed.push(`${name}: Q${16 - (this.formats.get(name) ?? f)}.${this.formats.get(name)} -> Q${16 - f}.${f}`);
        this.formats.set(name, f);
      }
    }
    this.epochAmax.clear();
    if (this.opts.weightFormat === 'auto') this.chooseWeightFormats();
    this.qmCache = undefined;
    return changed;
  }

  /** Float predictions of the master weights (no rounding points). */
  floatLogits(x: Tensor): Float32Array {
    return tf.tidy(() => {
      const params: Params = new Map([...this.consts, ...this.vars]);
      return forward(this.graph, params, { [this.graph.inputs[0].name]: tf.tensor(x.data, x.dims) }).logits.dataSync() as Float32Array;
    });
  }

  classes(): number {
    const s = this.graph.shapes.get(this.graph.outputs[0].name)!;
    return s.slice(1).reduce((a, b) => a * b, 1);
  }

  /** Trainable state for a checkpoint. */
  state(): { vars: Record<string, { dims: number[]; data: number[] }>; formats: Record<string, number>; weightFormats?: Record<string, number[]> } {
    const vars: Record<string, { dims: number[]; data: number[] }> = {};
    for (const [k, v] of this.vars) vars[k] = { dims: v.shape.slice(), data: Array.from(v.dataSync()) };
    return { vars, formats: Object.fromEntries(this.formats), weightFormats: Object.fromEntries(this.weightFormats) };
  }

  restore(s: ReturnType<QatModel['state']>): void {
    for (const [k, v] of Object.entries(s.vars)) {
      const t = this.vars.get(k);
      if (!t || t.shape.join() !== v.dims.join()) throw new CnnaError('E_FORMAT', `checkpoint tensor '${k}' does not fit this model`, { hint: 'remove the checkpoint or train the model it was made for' });
      t.assign(tf.tensor(v.data, v.dims));
    }
    this.formats = new Map(Object.entries(s.formats));
    if (s.weightFormats) this.weightFormats = new Map(Object.entries(s.weightFormats));
    else this.chooseWeightFormats();
    this.qmCache = undefined;
  }

  /** Sends the current formats to the worker threads (after endEpoch or restore). */
  async syncWorkers(): Promise<void> {
    await Promise.all(this.workers.map((w) => ask(w, { type: 'formats', formats: this.fqFormats() })));
  }

  /** Adam's moments and step count, for a checkpoint (so a resumed run continues exactly). */
  async optimizerState(): Promise<{ name: string; dims: number[]; data: number[] }[]> {
    const ws = await this.optimizer.getWeights();
    return ws.map((w) => ({ name: w.name, dims: w.tensor.shape.slice(), data: Array.from(w.tensor.dataSync()) }));
  }

  async setOptimizerState(s: { name: string; dims: number[]; data: number[] }[]): Promise<void> {
    await this.optimizer.setWeights(s.map((w) => ({ name: w.name, tensor: tf.tensor(w.data, w.dims) })));
    // tfjs sets Adam's beta powers to pow(beta, t + 1), while training reached them by t float32
    // multiplications; the last bits differ, so rebuild them the way training did.
    const adam = this.optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable; beta1: number; beta2: number; iterations: number };
    tf.tidy(() => {
      let b1: tf.Tensor = tf.scalar(adam.beta1), b2: tf.Tensor = tf.scalar(adam.beta2);
      for (let i = 0; i < adam.iterations; i++) { b1 = tf.mul(b1, adam.beta1); b2 = tf.mul(b2, adam.beta2); }
      adam.accBeta1.assign(b1);
      adam.accBeta2.assign(b2);
    });
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    for (const c of this.consts.values()) c.dispose();
    this.optimizer.dispose();
  }
}

/** One request to a training worker; rejects with its error. */
function ask(w: Worker, req: QatWorkerRequest): Promise<QatWorkerReply> {
  return new Promise((resolve, reject) => {
    const done = (r: QatWorkerReply): void => {
      w.off('error', fail);
      if (r.ok) resolve(r);
      else reject(new CnnaError('E_NUMERIC', `training worker failed: ${r.error}`));
    };
    const fail = (e: Error): void => { w.off('message', done); reject(e); };
    w.once('message', done);
    w.once('error', fail);
    w.postMessage(req);
  });
}

function dequant(q: Int16Array, f: number): Float32Array {
  const s = 2 ** -f;
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i] * s;
  return out;
}

/**
 * Forward: the exact fixed-point value. Backward: the straight-through estimator, passing the
 * gradient where the float value is inside the format's range [-2^(15-f), 2^(15-f)) and zero where it saturates.
 */
function inject(yFloat: tf.Tensor, exact: tf.Tensor, f: number): tf.Tensor {
  const lim = 2 ** (15 - f);
  const op = tf.customGrad(((y: tf.Tensor, save: tf.GradSaveFunc) => {
    save([y]);
    return {
      value: exact,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const inside = tf.logicalAnd(tf.greaterEqual(saved[0], -lim), tf.less(saved[0], lim));
        return [tf.mul(dy, tf.cast(inside, 'float32'))];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(yFloat);
}
