// The command table. Add one line per command file.
import type { Command } from '../command.ts';
import { benchCommand } from './bench.ts';
import { boardBufferCommand } from './board-buffer.ts';
import { boardInfoCommand } from './board-info.ts';
import { boardMmioCommand } from './board-mmio.ts';
import { boardServeCommand } from './board-serve.ts';
import { deployCommand } from './deploy.ts';
import { inferCommand } from './infer.ts';
import { zooCommand } from './zoo.ts';

export const commands: Command[] = [
  boardInfoCommand,
  boardServeCommand,
  boardMmioCommand,
  boardBufferCommand,
  deployCommand,
  inferCommand,
  benchCommand,
  zooCommand,
];
