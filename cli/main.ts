// CLI entry: resolves the command (longest match of space-separated words), parses its
// options, runs it, prints JSON or text, and maps CnnaError to a clean message and exit code.
// A file-system error that a command did not convert still becomes E_IO (never "internal
// error"); a closed stdout (`cnna inspect … | head`) ends the command quietly with exit code 0.
import { parseArgs } from 'node:util';
import { CnnaError, isCnnaError } from '../compiler/errors/cnna-error.ts';
import { ioErrorFromErrno, isErrno } from '../compiler/errors/io-error.ts';
import type { Command, CommandContext } from './command.ts';
import { commands } from './commands/index.ts';

const COMMON = {
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  return ['cnna: compile ONNX CNNs to the cnna accelerator, simulate them bit-exact, deploy them to a board.', '',
    'Usage: cnna <command> [options]   (every command takes --json and --verbose)', '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)].join('\n');
}

function resolve(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  let best: { cmd: Command; rest: string[] } | undefined;
  for (const cmd of commands) {
    const words = cmd.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.cmd.name.split(' ').length)) {
      best = { cmd, rest: argv.slice(words.length) };
    }
  }
  return best;
}

/** A reader that closed our stdout (EPIPE) wants no more output: stop at once, quietly. */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const ctx: CommandContext = {
    json,
    verbose,
    log: (line) => { if (!json) process.stdout.write(line + '\n'); },
    warn: (line) => { process.stderr.write(`warning: ${line}\n`); },
  };
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      process.stdout.write(helpText() + '\n');
      return 0;
    }
    const found = resolve(argv);
    if (!found) throw new CnnaError('E_USAGE', `unknown command '${argv.filter((a) => !a.startsWith('-')).join(' ')}'`, { hint: "run 'cnna --help' for the list of commands" });
    const { cmd, rest } = found;
    let parsed: { values: Record<string, unknown>; positionals: string[] };
    try {
      parsed = parseArgs({ args: rest, options: { ...cmd.options, ...COMMON }, allowPositionals: cmd.allowPositionals ?? true, strict: true }) as typeof parsed;
    } catch (e) {
      throw new CnnaError('E_USAGE', `${cmd.name}: ${(e as Error).message}`, { hint: `usage: cnna ${cmd.usage}` });
    }
    if (parsed.values.help) {
      process.stdout.write(`usage: cnna ${cmd.usage}\n\n${cmd.summary}\n`);
      return 0;
    }
    const result = await cmd.run(parsed, ctx);
    if (json && result !== undefined) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return 0;
  } catch (caught) {
    const e = isErrno(caught) && caught.syscall && caught.code !== 'EPIPE' ? ioErrorFromErrno(caught) : caught;
    if (isCnnaError(e)) {
      if (json) process.stdout.write(JSON.stringify({ error: e.toJSON() }, null, 2) + '\n');
      process.stderr.write(`cnna: error [${e.code}]: ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}`);
      if (verbose && e.stack) process.stderr.write(e.stack + '\n');
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`cnna: internal error: ${err?.message ?? String(e)}\n`);
    if (verbose && err?.stack) process.stderr.write(err.stack + '\n');
    else process.stderr.write('  (this is a bug in cnna; rerun with --verbose and report the stack trace)\n');
    return 70;
  }
}
