// `cnna hls export --board B [--config FILE] -o DIR [--vectors N]`: writes a self-contained Vitis HLS
// project of the HLS engine for a board and config (sim/hls/export-project.ts): sources, generated headers,
// a C-simulation testbench with vectors, the Vitis HLS Tcl script and a README.
import { resolve } from 'node:path';
import { loadBoardConfig } from '../../boards/index.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { exportHlsProject } from '../../sim/hls/export-project.ts';
import type { Command } from '../command.ts';
import { progress } from '../progress.ts';

export const hlsExportCommand: Command = {
  name: 'hls export',
  summary: 'write a Vitis HLS project of the HLS engine (sources, generated headers, C-sim testbench with vectors, Tcl, README)',
  usage: 'hls export --board B [--config FILE] -o DIR [--vectors N]',
  options: {
    board: { type: 'string', default: 'ultra96' },
    config: { type: 'string' },
    out: { type: 'string', short: 'o' },
    vectors: { type: 'string' },
  },
  allowPositionals: false,
  async run({ values }, ctx) {
    if (!values.out) throw new CnnaError('E_USAGE', 'hls export: missing -o DIR', { hint: 'usage: cnna hls export --board ultra96 -o build/hls' });
    const vectors = values.vectors === undefined ? undefined : Number(values.vectors);
    if (vectors !== undefined && (!Number.isSafeInteger(vectors) || vectors < 1)) throw new CnnaError('E_USAGE', `--vectors '${String(values.vectors)}' is not a positive integer`);
    const board = String(values.board);
    const config = loadBoardConfig(values.config as string | undefined, board);
    let bar: ReturnType<typeof progress> | undefined;
    const r = exportHlsProject({ board, config, outDir: resolve(String(values.out)), vectors, onProgress: (_d, total) => { (bar ??= progress('hls export', total, { json: ctx.json })).tick(1); } });
    bar?.stop();
    ctx.log(`HLS project for ${board} (config ${r.configHash}, part ${r.part}, ${(1000 / r.clockPeriodNs).toFixed(0)} MHz) in ${r.dir}`);
    ctx.log(`  ${r.files.length} files, ${r.vectors.count} testbench vectors (${r.vectors.source}, ${r.vectors.checks} output values)`);
    ctx.log(`  run: cd ${r.dir} && vitis_hls -f run_hls.tcl`);
    return r;
  },
};
