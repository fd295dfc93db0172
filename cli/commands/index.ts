// The command table. Add one line per command file.
import type { Command } from '../command.ts';
import { benchCommand } from './bench.ts';
import { boardBufferCommand } from './board-buffer.ts';
import { boardInfoCommand } from './board-info.ts';
import { boardMmioCommand } from './board-mmio.ts';
import { boardServeCommand } from './board-serve.ts';
import { deployCommand } from './deploy.ts';
import { inferCommand } from './infer.ts';
import { accuracyCommand } from './accuracy.ts';
import { demoCommand } from './demo.ts';
import { inspectCommand } from './inspect.ts';
import { runCommand } from './run.ts';
import { zooCommand } from './zoo.ts';
import { compileCommand } from './compile.ts';
import { simulateCommand } from './simulate.ts';
import { hlsExportCommand } from './hls-export.ts';
import { synthCommand } from './synth.ts';
import { trainCommand } from './train.ts';
import { overlayCommand } from './overlay.ts';
import { sweepCommand, sweepMergeCommand } from './sweep.ts';

export const commands: Command[] = [
  synthCommand,
  boardInfoCommand,
  boardServeCommand,
  boardMmioCommand,
  boardBufferCommand,
  deployCommand,
  inferCommand,
  benchCommand,
  inspectCommand,
  accuracyCommand,
  runCommand,
  zooCommand,
  demoCommand,
  compileCommand,
  simulateCommand,
  overlayCommand,
  hlsExportCommand,
  sweepCommand,
  sweepMergeCommand,
  trainCommand,
];
