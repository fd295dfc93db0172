// The shape every CLI command has. One command per file in cli/commands/, registered in
// cli/commands/index.ts. Options are parsed with node:util parseArgs; every command gets
// --json (machine-readable result on stdout) and --verbose (stack traces on errors).
import type { ParseArgsConfig } from 'node:util';

export interface CommandContext {
  json: boolean;
  verbose: boolean;
  /** Human-readable output (suppressed under --json). */
  log: (line: string) => void;
  /** Warnings go to stderr in both modes. */
  warn: (line: string) => void;
}

export interface Command {
  /** e.g. 'inspect' or 'board info' (sub-commands are space separated). */
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  /** Returns the JSON result (printed under --json) or undefined. Throws CnnaError on user errors. */
  run(args: { values: Record<string, unknown>; positionals: string[] }, ctx: CommandContext): Promise<unknown>;
}
