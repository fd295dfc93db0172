// The command table. Add one line per command file.
import type { Command } from '../command.ts';

export const commands: Command[] = [
];
