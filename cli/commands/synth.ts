// `cnna synth --board ultra96 [--config FILE] [--paths N] [--no-cache] --json`: synthesizes the engine RTL
// for a hardware config with Yosys (synth_xilinx -family xcup) and prints DSP48E2, RAMB36/RAMB18, LUT and FF
// counts with the fit against the board, and the static timing estimate (timing.fmaxMhz and the N worst
// register-to-register paths, one per end register, default 5, sim/synth/timing.ts). Results are cached by config + RTL hash
// (sim/synth/yosys.ts).
import { getBoard, loadConfig } from '../../boards/ultra96/board.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { runSynth } from '../../sim/synth/yosys.ts';
import type { Command } from '../command.ts';

export const synthCommand: Command = {
  name: 'synth',
  summary: 'synthesize the engine RTL with Yosys for a board and config; print DSP/BRAM/LUT/FF use, fit and estimated fmax with the worst timing paths (--paths N: the N worst, one per end register; default 5)',
  usage: 'synth [--board ultra96] [--config FILE] [--paths N] [--no-cache]',
  options: {
    board: { type: 'string', default: 'ultra96' },
    config: { type: 'string' },
    paths: { type: 'string', default: '5' },
    'no-cache': { type: 'boolean', default: false },
  },
  async run({ values }, ctx) {
    const paths = Number(values.paths);
    if (!/^\d+$/.test(String(values.paths)) || !Number.isSafeInteger(paths) || paths < 1) {
      throw new CnnaError('E_USAGE', `synth: --paths '${String(values.paths)}' is not a positive integer`, { hint: 'e.g. --paths 40 lists the 40 worst register-to-register paths' });
    }
    const boardName = String(values.board);
    const board = getBoard(boardName);
    const config = loadConfig(values.config as string | undefined, boardName);
    const r = await runSynth(config, board, { noCache: Boolean(values['no-cache']), onLog: ctx.warn, paths });
    const x = r.resources;
    const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
    ctx.log(`engine for config ${r.configHash} on ${r.board} (${r.part}), Yosys ${r.cached ? 'cached result' : `${r.seconds.toFixed(0)} s`}`);
    ctx.log(`  DSP48E2  ${String(x.dsp48e2).padStart(7)} / ${board.dsp} (${pct(x.dsp48e2, board.dsp)})${r.fit.dsp.ok ? '' : '  OVER'}`);
    ctx.log(`  RAMB36E2 ${String(x.ramb36).padStart(7)}, RAMB18E2 ${x.ramb18}: ${x.bram36Equivalent} BRAM36 / ${board.bram36} (${pct(x.bram36Equivalent, board.bram36)})${r.fit.bram36.ok ? '' : '  OVER'}`);
    ctx.log(`  LUT      ${String(x.lut).padStart(7)} / ${board.lut} (${pct(x.lut, board.lut)}; budget ${r.fit.lut.limit})${r.fit.lut.ok ? '' : '  OVER'}  [logic ${x.lutAsLogic}, memory ${x.lutAsMemory}]`);
    ctx.log(`  FF       ${String(x.ff).padStart(7)} / ${board.ff} (${pct(x.ff, board.ff)})`);
    ctx.log(r.fit.ok ? 'fits the board' : 'does NOT fit the board');
    const t = r.timing;
    const meets = t.fmaxMhz === null || t.fmaxMhz >= config.clockMhz;
    ctx.log(`timing estimate (${t.model}): worst path ${t.worstNs} ns, fmax ${t.fmaxMhz ?? '-'} MHz${meets ? '' : `  BELOW the config's ${config.clockMhz} MHz`}`);
    for (const p of t.paths) ctx.log(`  ${p.ns.toFixed(3).padStart(7)} ns  ${String(p.levels).padStart(2)} levels  ${p.from} (${p.fromCell}) -> ${p.to} (${p.toCell})`);
    return {
      board: r.board, part: r.part, configHash: r.configHash,
      dsp48e2: x.dsp48e2, ramb36: x.ramb36, ramb18: x.ramb18, bram36Equivalent: x.bram36Equivalent,
      lut: x.lut, lutAsLogic: x.lutAsLogic, lutAsMemory: x.lutAsMemory, ff: x.ff,
      fit: r.fit,
      timing: { fmaxMhz: t.fmaxMhz, worstNs: t.worstNs, clockMhz: config.clockMhz, meetsClock: meets, model: t.model, paths: t.paths, endpoints: t.endpoints, unknownCellTypes: t.unknownCellTypes, loopNodes: t.loopNodes },
      cached: r.cached, seconds: Number(r.seconds.toFixed(1)), yosys: r.yosys,
    };
  },
};
