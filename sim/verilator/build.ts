// Builds (or finds) the Verilator model of the engine for one hardware config. Builds are cached under
// .cache/verilator/<key>/ where key hashes the config, every RTL source, the harness, the Verilator
// version and the build flags; a build is made in a private directory and renamed into place, and
// concurrent callers (vitest workers) wait on a lock directory, so a cached model is always complete.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { genHlsHeader } from '../../compiler/contracts/gen-hls-header.ts';
import { configHash, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { repoRoot, rtlPackage, rtlSources, waiverFile } from './rtl-sources.ts';
import { acquireBuildLock, releaseBuildLock } from '../build-lock.ts';

export interface RtlModel {
  exe: string;
  key: string;
  dir: string;
  /** True when this call compiled the model (false: taken from the cache). */
  built: boolean;
  buildSeconds: number;
}

export interface BuildOptions {
  /** Compile VCD tracing in (enabled at run time with +trace). */
  trace?: boolean;
  /** Cache root (default <repo>/.cache/verilator). */
  cacheDir?: string;
  onLog?: (line: string) => void;
}

const harness = join(repoRoot, 'sim', 'verilator', 'harness.cpp');

let verilatorVersion: string | undefined;
async function getVerilatorVersion(): Promise<string> {
  if (verilatorVersion) return verilatorVersion;
  try {
    verilatorVersion = (await execa('verilator', ['--version'])).stdout.trim();
  } catch {
    throw new CnnaError('E_SIM', 'verilator is not installed or not on PATH', { hint: 'run `npm run setup` (Debian package verilator)' });
  }
  return verilatorVersion;
}

function flags(config: HwConfig, trace: boolean): string[] {
  const f = [
    '--cc', '--exe', '--build', '-j', '2', '-O3', '--x-assign', 'fast', '--x-initial', 'fast',
    // Warnings do not stop a build, except a failed elaboration check ($error in cnna_top: a config
    // outside the template range that bypassed validateConfig).
    '--top-module', 'cnna_top', '-Wno-fatal', '-Werror-USERERROR',
    '-CFLAGS', `-O2${trace ? ' -DCNNA_TRACE' : ''}`,
  ];
  if (trace) f.push('--trace');
  return f;
}

export async function buildKey(config: HwConfig, trace = false): Promise<string> {
  const h = createHash('sha256');
  h.update(configHash(config));
  h.update(await getVerilatorVersion());
  h.update(flags(config, trace).join(' '));
  h.update(rtlPackage(config));
  h.update(genHlsHeader(config));
  for (const f of [...rtlSources(), waiverFile, harness]) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

export async function ensureRtlModel(config: HwConfig, opts: BuildOptions = {}): Promise<RtlModel> {
  const trace = opts.trace ?? false;
  const cache = opts.cacheDir ?? join(repoRoot, '.cache', 'verilator');
  mkdirSync(cache, { recursive: true });
  const key = await buildKey(config, trace);
  const dir = join(cache, key);
  const exe = join(dir, 'Vcnna');
  const lock = `${dir}.lock`;
  const t0 = Date.now();
  if (!(await acquireBuildLock(lock, () => existsSync(exe)))) return { exe, key, dir, built: false, buildSeconds: (Date.now() - t0) / 1000 };
  const tmp = `${dir}.tmp-${process.pid}`;
  try {
    if (existsSync(exe)) return { exe, key, dir, built: false, buildSeconds: 0 };
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const pkg = join(tmp, 'cnna_pkg.sv');
    writeFileSync(pkg, rtlPackage(config));
    writeFileSync(join(tmp, 'cnna_config.h'), genHlsHeader(config));
    opts.onLog?.(`verilator: building engine model ${key} (config ${configHash(config)})`);
    const args = [...flags(config, trace), '-CFLAGS', `-I${tmp}`, '--Mdir', join(tmp, 'obj'), waiverFile, pkg, ...rtlSources(), harness, '-o', 'Vcnna'];
    const r = await execa('verilator', args, { cwd: tmp, reject: false, all: true });
    writeFileSync(join(tmp, 'build.log'), r.all ?? '');
    if (r.exitCode !== 0) {
      throw new CnnaError('E_SIM', `verilator build failed (exit ${r.exitCode}); log: ${join(tmp, 'build.log')}\n${(r.all ?? '').split('\n').slice(-20).join('\n')}`);
    }
    renameSync(join(tmp, 'obj', 'Vcnna'), join(tmp, 'Vcnna'));
    rmSync(join(tmp, 'obj'), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return { exe, key, dir, built: true, buildSeconds: (Date.now() - t0) / 1000 };
  } finally {
    releaseBuildLock(lock);
  }
}
