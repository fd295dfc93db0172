// `cnna zoo [<name>] -o FILE [--seed N]`: writes a generated model (models/zoo) as ONNX.
// Without a name it lists the zoo. VGG16 (550 MB) is streamed to disk piece by piece.
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { checkOutputFile } from '../../compiler/util/atomic-write.ts';
import { buildZooModel, parameterCount, zoo, zooModel } from '../../models/zoo/index.ts';
import type { Command } from '../command.ts';
import { progress, type Progress } from '../progress.ts';

function parseSeed(v: unknown): number {
  const s = String(v ?? '1');
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new CnnaError('E_USAGE', `--seed '${s}' is not an integer in [0, 4294967295]`);
  }
  return n;
}

export const zooCommand: Command = {
  name: 'zoo',
  summary: 'write a generated model (vgg16, vgg-small, resnet18, mobilenetv2, squeezenet, allconv, nin) as ONNX with seeded weights; no name lists the zoo',
  usage: 'zoo [<name> -o FILE [--seed N]]',
  options: {
    output: { type: 'string', short: 'o' },
    seed: { type: 'string', default: '1' },
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length === 0) {
      const models = Object.keys(zoo).map((name) => {
        const m = zooModel(name);
        return { name, description: m.description, input: m.input, output: m.output, parameters: parameterCount(m) };
      });
      for (const m of models) ctx.log(`${m.name.padEnd(12)} ${m.parameters.toLocaleString('en-US').padStart(12)} params  ${m.description}`);
      return { models };
    }
    if (positionals.length > 1) throw new CnnaError('E_USAGE', `zoo: expected one model name, got ${positionals.length} (${positionals.join(', ')})`, { hint: 'usage: cnna zoo <name> -o FILE [--seed N]' });
    const model = zooModel(positionals[0]);
    const out = values.output as string | undefined;
    if (!out) throw new CnnaError('E_USAGE', 'zoo: missing -o FILE (where to write the model)', { hint: `e.g. cnna zoo ${model.name} -o ${model.name}.onnx` });
    const seed = parseSeed(values.seed);
    checkOutputFile(out); // before generating
    const t0 = performance.now();
    const total = parameterCount(model);
    const genBar = progress('generate', total, { json: ctx.json });
    let last = 0;
    const builder = buildZooModel(model, seed, (done) => { genBar.tick(done - last); last = done; });
    genBar.stop();
    let writeBar: Progress | undefined;
    let mb = 0;
    const bytes = builder.writeFile(out, (done, all) => {
      writeBar ??= progress('write (MB)', Math.ceil(all / 1e6), { json: ctx.json });
      const now = Math.floor(done / 1e6);
      writeBar.tick(now - mb);
      mb = now;
    });
    writeBar?.stop();
    const seconds = (performance.now() - t0) / 1000;
    ctx.log(`wrote ${out}: ${model.name}, ${total.toLocaleString('en-US')} parameters, ${(bytes / 1e6).toFixed(1)} MB, seed ${seed} (${seconds.toFixed(1)} s)`);
    return { model: model.name, file: out, seed, parameters: total, bytes, input: model.input, output: model.output, seconds: Number(seconds.toFixed(3)) };
  },
};
