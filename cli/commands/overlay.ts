// `cnna overlay --board B [--config FILE] [--engine rtl|hls] -o DIR`: writes the Vivado batch project
// of an overlay (IP packaging, block design, implementation with a timing check, bitstream and .hwh)
// and its PYNQ driver (overlay/write-overlay.ts). Vivado runs on the user's machine: DIR/build.sh.
import { boardNames, loadBoardConfig } from '../../boards/index.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { getOverlayBoard, TARGET_VIVADO_VERSIONS } from '../../overlay/overlay-boards.ts';
import { writeOverlay } from '../../overlay/write-overlay.ts';
import type { Command } from '../command.ts';

export const overlayCommand: Command = {
  name: 'overlay',
  summary: 'write the Vivado project (IP, block design, build with timing check) and PYNQ driver of an overlay',
  usage: `overlay --board ${boardNames().join('|')} [--config FILE] [--engine rtl|hls] -o DIR`,
  options: {
    board: { type: 'string', default: 'ultra96' },
    config: { type: 'string' },
    engine: { type: 'string', default: 'rtl' },
    out: { type: 'string', short: 'o' },
  },
  async run({ values }, ctx) {
    const board = String(values.board);
    const engine = String(values.engine);
    if (engine !== 'rtl' && engine !== 'hls') throw new CnnaError('E_USAGE', `overlay: --engine is '${engine}', expected rtl or hls`);
    if (typeof values.out !== 'string') throw new CnnaError('E_USAGE', 'overlay: missing -o DIR', { hint: `usage: cnna ${overlayCommand.usage}` });
    getOverlayBoard(board);
    const config = loadBoardConfig(values.config as string | undefined, board);
    const dir = values.out;
    const { design: d, text } = writeOverlay(dir, board, config, engine);
    const regs = d.addressMap[0];
    ctx.log(`overlay for ${d.board} (${d.part}, ${d.ps}), config ${d.configHash}, engine ${d.engine}, IP ${d.ip.vlnv}`);
    ctx.log(`  PL clock ${d.psCell}/${d.clock.psPin} at ${d.clockMhz} MHz; interrupt ${d.engineCell}/interrupt -> ${d.psCell}/${d.interrupt.psPin}`);
    ctx.log(`  registers ${d.engineCell}/${d.control.slaveIntf} at 0x${regs.base.toString(16)} (0x${regs.range.toString(16)} bytes) via ${d.control.intf}`);
    for (const h of d.hp) ctx.log(`  ${h.masters.join(' + ')} -> ${h.smartconnect} -> ${d.psCell}/${h.hp} (${h.dataBits} bit)`);
    if (d.engine === 'hls') ctx.log(`  the HLS engine's Vitis HLS project is in ${dir}/hls (build.sh exports its IP with vitis_hls first)`);
    ctx.log(`wrote the project into ${dir}; build with ${dir}/build.sh (Vivado ${TARGET_VIVADO_VERSIONS.join(', ')}) -> ${dir}/out/cnna.bit, ${dir}/out/cnna.hwh`);
    return JSON.parse(text['overlay.json']) as unknown;
  },
};
