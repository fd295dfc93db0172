// The command table. Add one line per command file.
import type { Command } from '../command.ts';
import { zooCommand } from './zoo.ts';

export const commands: Command[] = [
  zooCommand,
];
