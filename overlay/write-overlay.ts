// Writes a complete Vivado batch project for an overlay into a folder:
//   build.sh, build.tcl, package_ip.tcl, block_design.tcl, implement.tcl   (gen-tcl.ts)
//   ip/src/cnna_pkg.sv, ip/src/<engine RTL>, ip/src/cnna.v                 (the IP's sources; --engine rtl)
//   hls/ (the Vitis HLS project of sim/hls/export-project.ts)                (--engine hls)
//   pynq/cnna_overlay/{__init__,driver}.py, pynq/run_inference.py          (gen-pynq.ts)
//   overlay.json                                                           (the design: address map, clock, interrupt)
// The scripts are checked against overlay/vivado-reference.ts before anything is written; files are
// written to a temporary folder beside DIR's files and renamed into place, so a failure leaves no
// half-written project.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { configHash, type HwConfig } from '../compiler/contracts/hw-config.ts';
import { Reg, REG_DOCS, type RegName } from '../compiler/contracts/register-map.ts';
import { CnnaError } from '../compiler/errors/cnna-error.ts';
import { repoRoot, rtlDir, rtlPackage, rtlSources } from '../sim/verilator/rtl-sources.ts';
import { exportHlsProject } from '../sim/hls/export-project.ts';
import { buildDesign, hlsEngineIp, rtlEngineIp, type EngineKind, type OverlayDesign } from './design.ts';
import { readEnginePorts } from './engine-ports.ts';
import { genBlockDesignTcl, genBuildSh, genBuildTcl, genHlsIpTcl, genImplementTcl, genPackageIpTcl } from './gen-tcl.ts';
import { genPynqDriver, genPynqInit, genRunInference } from './gen-pynq.ts';
import { genIpWrapper } from './ip-wrapper.ts';
import { getOverlayBoard, TARGET_VIVADO_VERSIONS } from './overlay-boards.ts';
import { checkTcl } from './tcl-check.ts';

export interface OverlayFiles {
  /** Relative path -> contents (text) or a source file to copy. */
  text: Record<string, string>;
  copies: Record<string, string>;
  design: OverlayDesign;
}

export const TCL_FILES = ['build.tcl', 'package_ip.tcl', 'block_design.tcl', 'implement.tcl'] as const;

/** C-simulation / co-simulation vectors in the HLS project of an --engine hls overlay. */
export const HLS_VECTORS = 8;

/** The project's files, in memory (checked, not yet written). */
export function generateOverlay(boardName: string, config: HwConfig, engine: EngineKind = 'rtl'): OverlayFiles {
  const board = getOverlayBoard(boardName);
  const ports = engine === 'rtl' ? readEnginePorts(join(rtlDir, 'cnna_top.sv')) : undefined;
  const design = buildDesign(board, config, ports ? rtlEngineIp(ports) : hlsEngineIp(readFileSync(join(repoRoot, 'hls', 'cnna_top.cpp'), 'utf8')));
  const text: Record<string, string> = {
    'build.sh': genBuildSh(engine),
    'build.tcl': genBuildTcl(design, board),
    'block_design.tcl': genBlockDesignTcl(design, board),
    'implement.tcl': genImplementTcl(design),
    'pynq/cnna_overlay/__init__.py': genPynqInit(design),
    'pynq/cnna_overlay/driver.py': genPynqDriver(design),
    'pynq/run_inference.py': genRunInference(design),
  };
  const copies: Record<string, string> = {};
  if (ports) {
    const srcs = rtlSources();
    text['package_ip.tcl'] = genPackageIpTcl(design, ['cnna_pkg.sv', ...srcs.map((f) => basename(f)), 'cnna.v']);
    text['ip/src/cnna_pkg.sv'] = rtlPackage(config);
    text['ip/src/cnna.v'] = genIpWrapper(design, ports, config);
    for (const f of srcs) copies[`ip/src/${basename(f)}`] = f;
  } else {
    text['package_ip.tcl'] = genHlsIpTcl(design);
  }
  const errors = TCL_FILES.flatMap((f) => checkTcl(text[f], f, [design.ip.vlnv]).errors);
  if (errors.length) {
    throw new CnnaError('E_CONFIG', `the generated Vivado scripts use what overlay/vivado-reference.ts does not list: ${errors.join('; ')}`, {
      hint: 'this is a bug in the overlay generator: report it with the command line',
    });
  }
  text['overlay.json'] = `${JSON.stringify(describeOverlay(design, config), null, 2)}\n`;
  return { text, copies, design };
}

/** overlay.json: what the build will produce, for people and for checks against the .hwh. */
export function describeOverlay(d: OverlayDesign, config: HwConfig) {
  return {
    board: d.board,
    part: d.part,
    ps: d.ps,
    engine: d.engine,
    ip: d.ip.vlnv,
    configHash: configHash(config),
    config,
    vivado: TARGET_VIVADO_VERSIONS,
    clock: { pin: `${d.psCell}/${d.clock.psPin}`, requestedMhz: d.clock.requestedMhz },
    interrupt: { source: `${d.interrupt.from}/${d.interrupt.pin}`, target: `${d.psCell}/${d.interrupt.psPin}`, index: d.interrupt.index },
    masters: d.masters,
    hpPorts: d.hp.map((h) => ({ port: `${d.psCell}/${h.hp}`, dataBits: h.dataBits, via: h.smartconnect, masters: h.masters })),
    addressMap: d.addressMap.map((a) => ({
      master: `${a.master}/${a.masterIntf}`, slave: `${a.slave}/${a.slaveIntf}`, block: a.block,
      base: `0x${a.base.toString(16).padStart(8, '0')}`, range: `0x${a.range.toString(16)}`, memType: a.memType,
    })),
    registers: (Object.keys(Reg) as RegName[]).map((n) => ({ name: n, offset: Reg[n], access: REG_DOCS[n].access })),
    outputs: ['out/cnna.bit', 'out/cnna.hwh'],
  };
}

/**
 * Gives the exported HLS IP the overlay's VLNV (its name "cnna" is the engine MODTYPE the .hwh checks
 * look for): the IP export line of run_hls.tcl gets -vendor / -library / -ipname / -version.
 */
function setHlsVlnv(tcl: string, d: OverlayDesign): void {
  const text = readFileSync(tcl, 'utf8');
  const line = /^export_design -format ip_catalog$/m;
  if (!line.test(text)) {
    throw new CnnaError('E_FORMAT', `${tcl} has no line "export_design -format ip_catalog" to give the IP its VLNV`, {
      hint: 'sim/hls/export-project.ts changed its Tcl; update overlay/write-overlay.ts (setHlsVlnv) with it',
    });
  }
  writeFileSync(tcl, text.replace(line, `export_design -format ip_catalog -vendor ${d.ip.vendor} -library ${d.ip.library} -ipname ${d.ip.name} -version ${d.ip.version}`));
}

/** Generates and writes the project into `dir` (created; files of a previous run are replaced). */
export function writeOverlay(dir: string, boardName: string, config: HwConfig, engine: EngineKind = 'rtl'): OverlayFiles {
  const files = generateOverlay(boardName, config, engine);
  const tmp = `${dir.replace(/\/+$/, '')}.cnna-tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    for (const [rel, body] of Object.entries(files.text)) {
      const p = join(tmp, rel);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, body);
    }
    for (const [rel, src] of Object.entries(files.copies)) {
      const p = join(tmp, rel);
      mkdirSync(join(p, '..'), { recursive: true });
      copyFileSync(src, p);
    }
    chmodSync(join(tmp, 'build.sh'), 0o755);
    // The HLS engine: the Vitis HLS project (sources, headers, testbench with vectors, run_hls.tcl).
    if (engine === 'hls') {
      exportHlsProject({ board: boardName, config, outDir: join(tmp, 'hls'), vectors: HLS_VECTORS });
      setHlsVlnv(join(tmp, 'hls', 'run_hls.tcl'), files.design);
    }
    mkdirSync(dir, { recursive: true });
    for (const top of ['build.sh', ...TCL_FILES, 'overlay.json', 'ip', 'hls', 'pynq']) {
      rmSync(join(dir, top), { recursive: true, force: true });
      if (existsSync(join(tmp, top))) renameSync(join(tmp, top), join(dir, top));
    }
  } catch (e) {
    if (e instanceof CnnaError) throw e;
    throw new CnnaError('E_IO', `cannot write the overlay project into ${dir}: ${(e as Error).message}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return files;
}

/** Reads a text file of a written project (tests). */
export const readProjectFile = (dir: string, rel: string): string => readFileSync(join(dir, rel), 'utf8');
