// File-system mistakes on the real `cnna` command: each is an E_IO (or E_USAGE) naming the path
// and what to do, exit code 1 (2 for usage), nothing on stdout, never exit code 70 ("internal
// error"), never a hang; and a closed stdout ends a command quietly. The cases run as parallel
// processes (each is mostly Node start-up).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/data/npy.ts';
import { repoRoot } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnna-file-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = join(repoRoot, 'models/default/fashion_cnn.onnx');
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'not a directory\n');
const withDirManifest = join(dir, 'out-with-dir');
mkdirSync(join(withDirManifest, 'manifest.json'), { recursive: true });
const aDir = join(dir, 'a-dir');
mkdirSync(aDir);
const longName = join(dir, 'n'.repeat(300));
const input = join(dir, 'x.npy');
writeFileSync(input, writeNpy([1, 1, 28, 28], new Float32Array(784)));

interface Result { code: number | null; signal: string | null; stdout: string; stderr: string }

function run(args: string[], opts: { shell?: string; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const cmd = opts.shell ?? process.execPath;
    const argv = opts.shell ? args : [join(repoRoot, 'bin/cnna.js'), ...args];
    const p = spawn(cmd, argv, { cwd: repoRoot, env: { ...process.env, FORCE_COLOR: '0', CNNA_BOARD_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += String(d); });
    p.stderr.on('data', (d) => { stderr += String(d); });
    const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    p.once('close', (code, signal) => { clearTimeout(t); resolve({ code, signal, stdout, stderr }); });
  });
}

const CASES: [string, string[], number, string][] = [
  ['compile -o naming an existing file', ['compile', model, '-o', aFile], 1,
    `cnna: error [E_IO]: cannot create directory '${aFile}': '${aFile}' is a file, not a directory\n  hint: remove that file or choose another output directory\n`],
  ['compile -o under a file', ['compile', model, '-o', join(aFile, 'sub')], 1,
    `cnna: error [E_IO]: cannot create directory '${join(aFile, 'sub')}': '${aFile}' is a file, not a directory\n  hint: choose a path whose parent folders are directories\n`],
  ['a directory named manifest.json in the output', ['compile', model, '-o', withDirManifest], 1,
    `cnna: error [E_IO]: cannot write '${join(withDirManifest, 'manifest.json')}': it is a directory\n  hint: give a file name, or remove or rename that directory\n`],
  ['an over-long output name', ['compile', model, '-o', longName], 1,
    `cnna: error [E_IO]: cannot create directory '${longName}': the name is too long (ENAMETOOLONG)\n  hint: use a shorter path (at most 255 bytes per name and 4096 in all)\n`],
  ['compile -o /proc/x (mkdir -p there loops forever in Node)', ['compile', model, '-o', '/proc/x'], 1,
    "cnna: error [E_IO]: cannot write '/proc/x': /proc is a kernel pseudo file system, not a place for output files\n  hint: choose an output path on an ordinary file system\n"],
  ['run --out under a file', ['run', model, '--input', input, '--out', join(aFile, 'out')], 1,
    `cnna: error [E_IO]: cannot create directory '${join(aFile, 'out')}': '${aFile}' is a file, not a directory\n  hint: choose a path whose parent folders are directories\n`],
  ['simulate --trace naming a directory', ['simulate', model, '--input', input, '--trace', aDir], 1,
    `cnna: error [E_IO]: cannot write '${aDir}': it is a directory\n  hint: give a file name, or remove or rename that directory\n`],
  ['zoo -o under a file', ['zoo', 'vgg-small', '-o', join(aFile, 'm.onnx')], 1,
    `cnna: error [E_IO]: cannot write '${join(aFile, 'm.onnx')}': '${aFile}' is a file, not a directory\n  hint: choose a path whose parent folders are directories\n`],
  ['board serve --cache FILE', ['board', 'serve', '--virtual', '--tcp', '0', '--token', 't', '--cache', aFile], 1,
    `cnna: error [E_IO]: cannot create directory '${aFile}': '${aFile}' is a file, not a directory\n  hint: remove that file or choose another output directory\n`],
  ["board serve --token ''", ['board', 'serve', '--virtual', '--tcp', '0', '--token', '', '--cache', join(dir, 'cache')], 2,
    "cnna: error [E_USAGE]: board serve: --token is empty\n  hint: pass a non-empty pairing token, or leave --token out and the board prints a random one\n"],
  ['board buffer read -o DIR', ['board', 'buffer', 'read', 'output', '-o', aDir, '--token', 't', '--tcp', '1'], 1,
    `cnna: error [E_IO]: cannot write '${aDir}': it is a directory\n  hint: give a file name, or remove or rename that directory\n`],
  ['infer fashion-mnist:-1', ['infer', 'fashion-mnist:-1', '--token', 't', '--tcp', '1'], 2,
    "cnna: error [E_USAGE]: fashion-mnist:-1: the image index '-1' is not a whole number from 0\n  hint: e.g. fashion-mnist:0 (the first test image)\n"],
];

describe('CLI file-system errors', () => {
  const results = Promise.all(CASES.map(([, args]) => run(args, { timeoutMs: 400_000 }))); // a hang limit (the /proc case hung forever), not a speed: under load a CLI start takes up to a minute

  it.each(CASES.map((c, i) => [c[0], i] as const))('%s', async (_what, i) => {
    const [, , code, stderr] = CASES[i];
    const r = (await results)[i];
    expect(r.stderr).toBe(stderr);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
  });

  it('a reader that closes stdout early ends the command quietly (exit 0, nothing on stderr)', async () => {
    const r = await run(['-c', `set -o pipefail; "${process.execPath}" "${join(repoRoot, 'bin/cnna.js')}" inspect "${model}" | true`], { shell: 'bash' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
