// Builds (or finds) the SystemC system model of the HLS engine for one hardware config: g++ with Debian's
// libsystemc-dev over the HLS sources, the system model and the headers generated from the config and the
// register map. Builds are cached under .cache/hls/<key>/, key = config hash + every HLS source + the
// generated headers + g++ and SystemC versions + flags; a build is made in a private directory and renamed
// into place, concurrent callers wait on a lock directory (as sim/verilator/build.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { genHlsHeader, genHlsRegHeader } from '../../compiler/contracts/gen-hls-header.ts';
import { configHash, requireEngineSupport, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { hlsDir, hlsEngineSources, repoRoot, SYSTEM_MODEL } from './hls-sources.ts';
import { acquireBuildLock, releaseBuildLock } from '../build-lock.ts';

export interface HlsModel {
  exe: string;
  key: string;
  dir: string;
  built: boolean;
  buildSeconds: number;
}

const SYSTEMC_VERSION_HEADER = '/usr/include/sysc/kernel/sc_ver.h';
export const HLS_CXXFLAGS = ['-std=c++17', '-O3', '-march=native', '-Wall', '-Wextra', '-Wno-unknown-pragmas', '-Wno-unused-label'];

let gxxVersion: string | undefined;
async function getGxxVersion(): Promise<string> {
  if (gxxVersion) return gxxVersion;
  try {
    gxxVersion = (await execa('g++', ['--version'])).stdout.split('\n')[0];
  } catch {
    throw new CnnaError('E_SIM', 'g++ is not installed or not on PATH', { hint: 'run `npm run setup` (Debian packages g++ and libsystemc-dev)' });
  }
  return gxxVersion;
}

function systemcVersion(): string {
  if (!existsSync(SYSTEMC_VERSION_HEADER)) {
    throw new CnnaError('E_SIM', `SystemC headers not found (${SYSTEMC_VERSION_HEADER})`, { hint: 'run `npm run setup` (Debian package libsystemc-dev)' });
  }
  return readFileSync(SYSTEMC_VERSION_HEADER, 'utf8');
}

export async function hlsBuildKey(config: HwConfig): Promise<string> {
  requireEngineSupport(config, 'the HLS engine', { winograd: true });
  const h = createHash('sha256');
  h.update(configHash(config));
  h.update(await getGxxVersion());
  h.update(systemcVersion());
  h.update(HLS_CXXFLAGS.join(' '));
  h.update(genHlsHeader(config));
  h.update(genHlsRegHeader());
  for (const f of [...hlsEngineSources(), SYSTEM_MODEL]) h.update(f).update(readFileSync(join(hlsDir, f)));
  return h.digest('hex').slice(0, 16);
}

/** Writes cnna_config.h and cnna_regs.h for a config into dir. */
export function writeHlsHeaders(config: HwConfig, dir: string): void {
  requireEngineSupport(config, 'the HLS engine', { winograd: true });
  writeFileSync(join(dir, 'cnna_config.h'), genHlsHeader(config));
  writeFileSync(join(dir, 'cnna_regs.h'), genHlsRegHeader());
}

export async function ensureHlsModel(config: HwConfig, opts: { cacheDir?: string; onLog?: (line: string) => void } = {}): Promise<HlsModel> {
  const cache = opts.cacheDir ?? join(repoRoot, '.cache', 'hls');
  mkdirSync(cache, { recursive: true });
  const key = await hlsBuildKey(config);
  const dir = join(cache, key);
  const exe = join(dir, 'cnna_hls_sim');
  const lock = `${dir}.lock`;
  const t0 = Date.now();
  if (!(await acquireBuildLock(lock, () => existsSync(exe)))) return { exe, key, dir, built: false, buildSeconds: (Date.now() - t0) / 1000 };
  const tmp = `${dir}.tmp-${process.pid}`;
  try {
    if (existsSync(exe)) return { exe, key, dir, built: false, buildSeconds: 0 };
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    writeHlsHeaders(config, tmp);
    opts.onLog?.(`g++: building the HLS system model ${key} (config ${configHash(config)})`);
    const args = [...HLS_CXXFLAGS, `-I${tmp}`, `-I${hlsDir}`, `-I${join(hlsDir, 'include')}`,
      join(hlsDir, 'cnna_top.cpp'), join(hlsDir, SYSTEM_MODEL), '-lsystemc', '-o', join(tmp, 'cnna_hls_sim')];
    const r = await execa('g++', args, { cwd: tmp, reject: false, all: true });
    writeFileSync(join(tmp, 'build.log'), `g++ ${args.join(' ')}\n${r.all ?? ''}`);
    if (r.exitCode !== 0) {
      throw new CnnaError('E_SIM', `HLS system model build failed (exit ${r.exitCode}); log: ${join(tmp, 'build.log')}\n${(r.all ?? '').split('\n').slice(-20).join('\n')}`);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return { exe, key, dir, built: true, buildSeconds: (Date.now() - t0) / 1000 };
  } finally {
    releaseBuildLock(lock);
  }
}
