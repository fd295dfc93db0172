// Parses a Vivado hardware hand-off (.hwh) file into IP instances, address ranges, register
// maps, clocks and interrupt lines. Invariants: every number comes from the XML text (hex or
// decimal, checked, never NaN); a file that is not an EDKSYSTEM with a MODULES section, or a
// number that does not parse, throws CnnaError('E_FORMAT') naming the module and attribute.

import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { childNamed, childrenNamed, parseXml, type XmlElement } from './xml-tree.ts';
import type {
  Hwh,
  HwhAddressBlock,
  HwhBusInterface,
  HwhClockPort,
  HwhClocks,
  HwhInterruptLine,
  HwhIp,
  HwhMemRange,
  HwhPlClock,
  HwhPort,
  HwhRegister,
} from './hwh-types.ts';

export type * from './hwh-types.ts';

function num(text: string | undefined, where: string, source: string): number {
  const t = (text ?? '').trim();
  let v = NaN;
  if (/^0[xX][0-9A-Fa-f]+$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^-?[0-9]+(\.[0-9]+)?$/.test(t)) v = Number(t);
  if (!Number.isFinite(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER) {
    throw new CnnaError('E_FORMAT', `${source}: ${where} is "${t}", not a number`, {
      hint: 'the .hwh file may be damaged; re-export the hardware hand-off from Vivado',
    });
  }
  return v;
}

function optNum(text: string | undefined, where: string, source: string): number | undefined {
  return text === undefined || text.trim() === '' ? undefined : num(text, where, source);
}

function params(el: XmlElement | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const p of childrenNamed(el, 'PARAMETER')) if (p.attrs.NAME !== undefined) out[p.attrs.NAME] = p.attrs.VALUE ?? '';
  return out;
}

function properties(el: XmlElement): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const p of childrenNamed(el, 'PROPERTY')) if (p.attrs.NAME !== undefined) out[p.attrs.NAME] = p.attrs.VALUE ?? '';
  return out;
}

function parseRegister(el: XmlElement, where: string, source: string): HwhRegister {
  const name = el.attrs.NAME ?? '';
  const p = properties(el);
  const at = `${where} register ${name}`;
  return {
    name,
    description: p.DESCRIPTION ?? '',
    offset: num(p.ADDRESS_OFFSET, `${at} ADDRESS_OFFSET`, source),
    width: num(p.SIZE, `${at} SIZE`, source),
    access: p.ACCESS ?? '',
    resetValue: optNum(p.RESET_VALUE, `${at} RESET_VALUE`, source),
    enabled: (p.IS_ENABLED ?? 'true').toLowerCase() !== 'false',
    fields: childrenNamed(childNamed(el, 'FIELDS'), 'FIELD').map((f) => {
      const fp = properties(f);
      const fat = `${at} field ${f.attrs.NAME ?? ''}`;
      return {
        name: f.attrs.NAME ?? '',
        description: fp.DESCRIPTION ?? '',
        bitOffset: num(fp.BIT_OFFSET, `${fat} BIT_OFFSET`, source),
        bitWidth: num(fp.BIT_WIDTH, `${fat} BIT_WIDTH`, source),
        access: fp.ACCESS ?? '',
      };
    }),
  };
}

function parseAddressBlock(el: XmlElement, instance: string, source: string): HwhAddressBlock {
  const name = el.attrs.NAME ?? '';
  const where = `module ${instance} address block ${name}`;
  return {
    name,
    interface: el.attrs.INTERFACE ?? '',
    range: num(el.attrs.RANGE, `${where} RANGE`, source),
    access: el.attrs.ACCESS ?? '',
    usage: el.attrs.USAGE ?? '',
    registers: childrenNamed(childNamed(el, 'REGISTERS'), 'REGISTER').map((r) => parseRegister(r, where, source)),
  };
}

function parsePort(el: XmlElement, instance: string, source: string): HwhPort {
  const name = el.attrs.NAME ?? '';
  const where = `module ${instance} port ${name}`;
  return {
    name,
    dir: el.attrs.DIR ?? '',
    signal: el.attrs.SIGNAME ?? '',
    sigIs: el.attrs.SIGIS ?? '',
    clkFrequencyHz: optNum(el.attrs.CLKFREQUENCY, `${where} CLKFREQUENCY`, source),
    sensitivity: el.attrs.SENSITIVITY,
    left: optNum(el.attrs.LEFT, `${where} LEFT`, source),
    right: optNum(el.attrs.RIGHT, `${where} RIGHT`, source),
    connections: childrenNamed(childNamed(el, 'CONNECTIONS'), 'CONNECTION').map((c) => ({
      instance: c.attrs.INSTANCE ?? '',
      port: c.attrs.PORT ?? '',
    })),
  };
}

function parseBusInterface(el: XmlElement, instance: string, source: string): HwhBusInterface {
  const name = el.attrs.NAME ?? '';
  return {
    name,
    type: el.attrs.TYPE ?? '',
    busName: el.attrs.BUSNAME ?? '',
    vlnv: el.attrs.VLNV ?? '',
    dataWidth: optNum(el.attrs.DATAWIDTH, `module ${instance} bus interface ${name} DATAWIDTH`, source),
    parameters: { ...params(el), ...params(childNamed(el, 'PARAMETERS')) },
  };
}

function parseMemRange(el: XmlElement, master: string, source: string): HwhMemRange {
  const slave = el.attrs.INSTANCE ?? '';
  const where = `module ${master} MEMRANGE for ${slave}`;
  const base = num(el.attrs.BASEVALUE, `${where} BASEVALUE`, source);
  const high = num(el.attrs.HIGHVALUE, `${where} HIGHVALUE`, source);
  if (high < base) {
    throw new CnnaError('E_FORMAT', `${source}: ${where} has HIGHVALUE below BASEVALUE`, {
      hint: 'the .hwh file may be damaged; re-export the hardware hand-off from Vivado',
    });
  }
  return {
    master,
    masterInterface: el.attrs.MASTERBUSINTERFACE ?? '',
    slave,
    slaveInterface: el.attrs.SLAVEBUSINTERFACE ?? '',
    addressBlock: el.attrs.ADDRESSBLOCK ?? '',
    base,
    high,
    size: high - base + 1,
    memType: el.attrs.MEMTYPE ?? '',
    baseName: el.attrs.BASENAME ?? '',
    highName: el.attrs.HIGHNAME ?? '',
  };
}

const PS_TYPES = new Set(['zynq_ultra_ps_e', 'processing_system7']);

function parseClocks(ips: HwhIp[], source: string): HwhClocks {
  const ps = ips.find((ip) => PS_TYPES.has(ip.type));
  const pl: HwhPlClock[] = [];
  if (ps) {
    const p = ps.parameters;
    const zu = ps.type === 'zynq_ultra_ps_e';
    for (let i = 0; i < 4; i++) {
      const keys = zu
        ? {
            en: `PSU__FPGA_PL${i}_ENABLE`,
            req: `PSU__CRL_APB__PL${i}_REF_CTRL__FREQMHZ`,
            act: `PSU__CRL_APB__PL${i}_REF_CTRL__ACT_FREQMHZ`,
            d0: `PSU__CRL_APB__PL${i}_REF_CTRL__DIVISOR0`,
            d1: `PSU__CRL_APB__PL${i}_REF_CTRL__DIVISOR1`,
            src: `PSU__CRL_APB__PL${i}_REF_CTRL__SRCSEL`,
          }
        : {
            en: `PCW_FPGA_FCLK${i}_ENABLE`,
            req: `PCW_FPGA${i}_PERIPHERAL_FREQMHZ`,
            act: `PCW_ACT_FPGA${i}_PERIPHERAL_FREQMHZ`,
            d0: `PCW_FCLK${i}_PERIPHERAL_DIVISOR0`,
            d1: `PCW_FCLK${i}_PERIPHERAL_DIVISOR1`,
            src: `PCW_FCLK${i}_PERIPHERAL_CLKSRC`,
          };
      if (p[keys.req] === undefined && p[keys.act] === undefined) continue;
      const where = `module ${ps.instance} parameter`;
      const requestedMHz = num(p[keys.req] ?? p[keys.act], `${where} ${keys.req}`, source);
      pl.push({
        index: i,
        enabled: p[keys.en] === '1' || (p[keys.en] ?? '').toUpperCase() === 'TRUE',
        requestedMHz,
        actualMHz: p[keys.act] === undefined ? requestedMHz : num(p[keys.act], `${where} ${keys.act}`, source),
        divisor0: optNum(p[keys.d0], `${where} ${keys.d0}`, source),
        divisor1: optNum(p[keys.d1], `${where} ${keys.d1}`, source),
        source: p[keys.src],
      });
    }
  }
  const ports: HwhClockPort[] = [];
  for (const ip of ips) {
    for (const port of ip.ports) {
      if (port.clkFrequencyHz === undefined) continue;
      ports.push({ instance: ip.instance, port: port.name, dir: port.dir, signal: port.signal, freqHz: port.clkFrequencyHz });
    }
  }
  return { ps: ps?.instance, pl, ports };
}

/** Maps each interrupt input of a controller (axi_intc or the PS) to its sources, through xlconcat. */
function parseInterrupts(ips: HwhIp[]): HwhInterruptLine[] {
  const byName = new Map(ips.map((ip) => [ip.instance, ip]));
  const lines: HwhInterruptLine[] = [];
  const sourcePort = (inst: string, port: string): HwhPort | undefined =>
    byName.get(inst)?.ports.find((p) => p.name === port);
  for (const ip of ips) {
    if (ip.type !== 'axi_intc' && !PS_TYPES.has(ip.type)) continue;
    for (const input of ip.ports) {
      if (input.dir !== 'I' || input.sigIs.toUpperCase() !== 'INTERRUPT') continue;
      for (const c of input.connections) {
        const driver = byName.get(c.instance);
        if (driver?.type === 'xlconcat') {
          let bit = 0;
          const n = Number(driver.parameters.NUM_PORTS ?? '0');
          for (let k = 0; k < n; k++) {
            const inPort = driver.ports.find((p) => p.name === `In${k}`);
            const width = Number(driver.parameters[`IN${k}_WIDTH`] ?? '1') || 1;
            for (const src of inPort?.connections ?? []) {
              lines.push({
                instance: src.instance,
                port: src.port,
                controller: ip.instance,
                controllerPort: input.name,
                index: bit,
                sensitivity: sourcePort(src.instance, src.port)?.sensitivity ?? '',
              });
            }
            bit += width;
          }
        } else {
          lines.push({
            instance: c.instance,
            port: c.port,
            controller: ip.instance,
            controllerPort: input.name,
            index: 0,
            sensitivity: sourcePort(c.instance, c.port)?.sensitivity ?? input.sensitivity ?? '',
          });
        }
      }
    }
  }
  return lines;
}

/** Parses the text of a .hwh file. `source` (a path) names the file in error messages. */
export function parseHwh(xml: string, source = '.hwh input'): Hwh {
  const root = parseXml(xml, source);
  if (root.name !== 'EDKSYSTEM') {
    throw new CnnaError('E_FORMAT', `${source}: root element is <${root.name}>, expected <EDKSYSTEM>`, {
      hint: 'pass the .hwh file Vivado writes beside the bitstream (hw_handoff/<design>.hwh)',
    });
  }
  const modules = childNamed(root, 'MODULES');
  if (!modules) {
    throw new CnnaError('E_FORMAT', `${source}: <EDKSYSTEM> has no <MODULES> section`, {
      hint: 'the .hwh file may be truncated; re-export the hardware hand-off from Vivado',
    });
  }
  const sys = childNamed(root, 'SYSTEMINFO')?.attrs ?? {};
  const memRanges: HwhMemRange[] = [];
  const ips: HwhIp[] = childrenNamed(modules, 'MODULE').map((m) => {
    const a = m.attrs;
    const instance = a.INSTANCE ?? '';
    if (instance === '') {
      throw new CnnaError('E_FORMAT', `${source}: a <MODULE> (MODTYPE ${a.MODTYPE ?? '?'}) has no INSTANCE attribute`);
    }
    for (const r of childrenNamed(childNamed(m, 'MEMORYMAP'), 'MEMRANGE')) memRanges.push(parseMemRange(r, instance, source));
    return {
      instance,
      fullName: a.FULLNAME ?? '',
      vlnv: a.VLNV ?? '',
      type: a.MODTYPE ?? '',
      version: a.HWVERSION ?? '',
      ipType: a.IPTYPE ?? '',
      modClass: a.MODCLASS ?? '',
      parameters: params(childNamed(m, 'PARAMETERS')),
      addressBlocks: childrenNamed(childNamed(m, 'ADDRESSBLOCKS'), 'ADDRESSBLOCK').map((b) => parseAddressBlock(b, instance, source)),
      busInterfaces: childrenNamed(childNamed(m, 'BUSINTERFACES'), 'BUSINTERFACE').map((b) => parseBusInterface(b, instance, source)),
      ports: childrenNamed(childNamed(m, 'PORTS'), 'PORT').map((p) => parsePort(p, instance, source)),
      addressRanges: [],
    };
  });
  for (const ip of ips) {
    const seen = new Set<string>();
    for (const r of memRanges) {
      if (r.slave !== ip.instance) continue;
      const key = `${r.base}:${r.high}:${r.slaveInterface}:${r.masterInterface}`;
      if (!seen.has(key)) {
        seen.add(key);
        ip.addressRanges.push(r);
      }
    }
  }
  return {
    system: {
      name: sys.NAME ?? '',
      arch: sys.ARCH ?? '',
      device: sys.DEVICE ?? '',
      package: sys.PACKAGE ?? '',
      speedGrade: sys.SPEEDGRADE ?? '',
      vivadoVersion: root.attrs.VIVADOVERSION ?? '',
    },
    ips,
    memRanges,
    clocks: parseClocks(ips, source),
    interrupts: parseInterrupts(ips),
  };
}

/** The IP instance named `instance`, or undefined. */
export function findIp(hwh: Hwh, instance: string): HwhIp | undefined {
  return hwh.ips.find((ip) => ip.instance === instance);
}

/** All register definitions of all IPs. */
export function allRegisters(hwh: Hwh): Array<{ ip: string; block: string; register: HwhRegister }> {
  return hwh.ips.flatMap((ip) =>
    ip.addressBlocks.flatMap((b) => b.registers.map((register) => ({ ip: ip.instance, block: b.name, register }))),
  );
}
