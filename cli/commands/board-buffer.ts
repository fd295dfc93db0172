// `cnna board buffer read NAME [--offset N] [--length N] [-o FILE]` |
// `cnna board buffer write NAME FILE [--offset N]`: the board's named DMA buffers (debugging).
import { readFileSync } from 'node:fs';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { ioError } from '../../compiler/errors/io-error.ts';
import { checkOutputFile, writeFileAtomic } from '../../compiler/util/atomic-write.ts';
import type { Command } from '../command.ts';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectFromFlags, parsePositiveInt } from './board-connection.ts';

export const boardBufferCommand: Command = {
  name: 'board buffer',
  summary: "read or write the board's DMA buffers (input, output) (debugging)",
  usage: `board buffer read NAME [--offset N] [--length N] [-o FILE] | board buffer write NAME FILE [--offset N] ${CONNECTION_USAGE}`,
  options: { ...CONNECTION_OPTIONS, offset: { type: 'string', default: '0' }, length: { type: 'string' }, output: { type: 'string', short: 'o' } },
  async run({ values, positionals }, ctx) {
    const [op, name, file] = positionals;
    if ((op !== 'read' && op !== 'write') || !name) throw new CnnaError('E_USAGE', "board buffer: expected 'read NAME' or 'write NAME FILE'");
    const offset = values.offset === '0' ? 0 : parsePositiveInt('--offset', values.offset);
    if (values.output) checkOutputFile(String(values.output));
    const client = await connectFromFlags(values);
    try {
      if (op === 'read') {
        const info = await client.request('INFO');
        const buf = (info.body.buffers as { name: string; size: number }[]).find((b) => b.name === name);
        const length = values.length !== undefined ? parsePositiveInt('--length', values.length) : Math.max(1, (buf?.size ?? 1) - offset);
        const r = await client.request('BUFFER_READ', { name, offset, length });
        if (values.output) writeFileAtomic(String(values.output), r.blob);
        else for (let i = 0; i < r.blob.length; i += 16) ctx.log(`${(offset + i).toString(16).padStart(8, '0')}  ${Buffer.from(r.blob.subarray(i, i + 16)).toString('hex').replace(/(..)/g, '$1 ').trim()}`);
        return { name, offset, length: r.blob.length, hex: Buffer.from(r.blob).toString('hex') };
      }
      if (!file) throw new CnnaError('E_USAGE', 'board buffer write: give the FILE whose bytes to write');
      let bytes: Uint8Array;
      try { bytes = readFileSync(file); } catch (e) { throw ioError(e, file, 'read'); }
      await client.request('BUFFER_WRITE', { name, offset }, bytes);
      ctx.log(`wrote ${bytes.length} bytes to buffer ${name} at ${offset}`);
      return { name, offset, length: bytes.length };
    } finally {
      await client.close();
    }
  },
};
