// `cnna deploy <bundle> --overlay <bit> --hwh <hwh>`: uploads the three files to the board
// (each skipped when the board has it cached by content hash; an interrupted upload resumes),
// then validates and activates them atomically. Shows a progress bar per upload.
import { readFileSync, statSync } from 'node:fs';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import type { Command } from '../command.ts';
import { progress, type Progress } from '../progress.ts';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectFromFlags } from './board-connection.ts';

function readFile(what: string, path: unknown): Uint8Array {
  if (typeof path !== 'string') throw new CnnaError('E_USAGE', `deploy: missing ${what}`, { hint: 'usage: cnna deploy <bundle.cnnab> --overlay <file.bit> --hwh <file.hwh>' });
  try {
    if (statSync(path).isDirectory()) throw new CnnaError('E_USAGE', `deploy: ${path} is a directory; pass the single-file bundle archive (.cnnab)`, { hint: 'cnna compile writes bundle.cnnab beside the bundle files' });
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    if (e instanceof CnnaError) throw e;
    throw new CnnaError('E_IO', `deploy: cannot read the ${what} ${path}: ${(e as Error).message}`);
  }
}

export const deployCommand: Command = {
  name: 'deploy',
  summary: 'upload a bundle, bitstream and .hwh to the board (cached by content hash) and activate them',
  usage: `deploy <bundle.cnnab> --overlay <file.bit> --hwh <file.hwh> ${CONNECTION_USAGE}`,
  options: { ...CONNECTION_OPTIONS, overlay: { type: 'string' }, hwh: { type: 'string' } },
  async run({ values, positionals }, ctx) {
    if (positionals.length !== 1) throw new CnnaError('E_USAGE', `deploy: expected one bundle, got ${positionals.length}`, { hint: `usage: cnna ${deployCommand.usage}` });
    for (const [flag, what] of [['overlay', 'overlay (--overlay)'], ['hwh', '.hwh (--hwh)']] as const) {
      if (typeof values[flag] !== 'string') throw new CnnaError('E_USAGE', `deploy: missing ${what}`, { hint: `usage: cnna ${deployCommand.usage}` });
    }
    const files = { bundle: readFile('bundle', positionals[0]), bitstream: readFile('overlay (--overlay)', values.overlay), hwh: readFile('.hwh (--hwh)', values.hwh) };
    const client = await connectFromFlags(values);
    const t0 = performance.now();
    try {
      const bars = new Map<string, { bar: Progress; at: number }>();
      const r = await deployModel(client, files, {
        onProgress: (kind, done, total) => {
          let b = bars.get(kind);
          if (!b) {
            for (const o of bars.values()) o.bar.stop();
            b = { bar: progress(`upload ${kind}`, Math.ceil(total / 1024), { json: ctx.json }), at: 0 };
            bars.set(kind, b);
          }
          const kb = Math.floor(done / 1024);
          b.bar.tick(kb - b.at);
          b.at = kb;
        },
      });
      for (const o of bars.values()) o.bar.stop();
      const seconds = (performance.now() - t0) / 1000;
      for (const [kind, u] of Object.entries(r.uploads)) {
        ctx.log(`${kind.padEnd(9)} ${u.sha256.slice(0, 16)}…  ${u.size} B  ${u.cached ? 'already on the board' : `sent ${u.sentBytes} B${u.resumedBytes > 0 ? ` (resumed: ${u.resumedBytes} B were there)` : ''}`}`);
      }
      ctx.log(`activated deployment ${r.deployId} on ${client.description} in ${seconds.toFixed(2)} s; clock ${(r.clockHz / 1e6).toFixed(1)} MHz`);
      if (r.batch > 1) ctx.log(`  batch ${r.batch} images per start (cnna infer sends inputs ${r.batch} at a time)`);
      for (const t of r.inputs) ctx.log(`  input  ${t.name} [${t.shape.join(', ')}] Q${16 - t.f}.${t.f}`);
      for (const t of r.outputs) ctx.log(`  output ${t.name} [${t.shape.join(', ')}] Q${16 - t.f}.${t.f}`);
      return { ...r, seconds: Number(seconds.toFixed(3)) };
    } finally {
      await client.close();
    }
  },
};
