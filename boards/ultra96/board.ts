// The Ultra96 entry of the boards database (boards/index.ts), with the names many modules import:
// `ultra96` (its BoardSpec), `defaultConfig()`, `loadConfig(file, board)`, `getBoard`, `ddrBytesPerCycle`.
// The figures and their sources are in boards/ultra96/board.json.
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { boardByName, boardDefaultConfig, boardRegistry, ddrBytesPerCycle as ddrRate, ddrControllerBytesPerCycle as ddrController, ddrLatencyCyclesAt as ddrLatency, loadBoardConfig, type BoardSpec } from '../index.ts';

/** A board's limits: the database entry. */
export type BoardLimits = BoardSpec;

export const ultra96: BoardLimits = boardByName('ultra96');

export const boards: Readonly<Record<string, BoardLimits>> = boardRegistry;

export function getBoard(name: string): BoardLimits {
  return boardByName(name);
}

export function defaultConfig(board = 'ultra96'): HwConfig {
  return boardDefaultConfig(board);
}

/** Load a config file (or the board default) and check it against the board. */
export function loadConfig(file: string | undefined, board = 'ultra96'): HwConfig {
  return loadBoardConfig(file, board);
}

/** Effective DDR bytes per engine cycle: the lesser of the AXI ports and the reachable DDR bandwidth. */
export function ddrBytesPerCycle(c: HwConfig, b: BoardLimits = ultra96): number {
  return ddrRate(c, b);
}

/** DDR read latency in cycles at the config's clock (the board's ddrLatencyCycles is at its defaultClockMhz). */
export function ddrLatencyCycles(c: HwConfig, b: BoardLimits = ultra96): number {
  return ddrLatency(b, c.clockMhz);
}

/** Bytes per engine cycle of the one DDR controller, shared by all the engine's AXI ports. */
export function ddrControllerBytesPerCycle(c: HwConfig, b: BoardLimits = ultra96): number {
  return ddrController(c, b);
}
