// `cnna board mmio read ADDR [COUNT]` | `cnna board mmio write ADDR VALUE...`: 32-bit register
// access, allowed by the board only inside the register ranges of the active overlay's .hwh.
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { Command } from '../command.ts';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectFromFlags } from './board-connection.ts';

/** A decimal or 0x-hex number in [min, max]; the message states the range the board accepts (counts in decimal). */
function parseWord(what: string, s: string, max: number, min = 0): number {
  const n = /^0x[0-9a-f]+$/i.test(s) ? Number.parseInt(s.slice(2), 16) : /^\d+$/.test(s) ? Number(s) : NaN;
  const show = (v: number) => (what === 'count' ? String(v) : `0x${v.toString(16)}`);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new CnnaError('E_USAGE', `${what} '${s}' is not a number in [${show(min)}, ${show(max)}] (decimal or 0x hex)`);
  return n;
}

export const boardMmioCommand: Command = {
  name: 'board mmio',
  summary: 'read or write 32-bit registers of the loaded overlay (debugging)',
  usage: `board mmio read ADDR [COUNT] | board mmio write ADDR VALUE... ${CONNECTION_USAGE}`,
  options: { ...CONNECTION_OPTIONS },
  async run({ values, positionals }, ctx) {
    const [op, addrText, ...rest] = positionals;
    if ((op !== 'read' && op !== 'write') || !addrText) throw new CnnaError('E_USAGE', "board mmio: expected 'read ADDR [COUNT]' or 'write ADDR VALUE...'");
    const address = parseWord('address', addrText, 2 ** 48);
    const client = await connectFromFlags(values);
    try {
      if (op === 'read') {
        const count = rest[0] ? parseWord('count', rest[0], 1024, 1) : 1;
        const r = await client.request('MMIO_READ', { address, count });
        const vals = r.body.values as number[];
        vals.forEach((v, i) => ctx.log(`0x${(address + 4 * i).toString(16).padStart(8, '0')}: 0x${v.toString(16).padStart(8, '0')} (${v})`));
        return { address, values: vals };
      }
      if (rest.length === 0) throw new CnnaError('E_USAGE', 'board mmio write: give at least one VALUE');
      const vals = rest.map((s) => parseWord('value', s, 0xffffffff));
      await client.request('MMIO_WRITE', { address, values: vals });
      ctx.log(`wrote ${vals.length} word(s) at 0x${address.toString(16)}`);
      return { address, count: vals.length };
    } finally {
      await client.close();
    }
  },
};
