// `cnna board info`: the board's identity, limits, active deployment, cache and the
// register ranges MMIO may touch.
import type { Command } from '../command.ts';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectFromFlags } from './board-connection.ts';

export const boardInfoCommand: Command = {
  name: 'board info',
  summary: 'show the board: identity, loaded overlay and bundle, limits, cache, MMIO ranges',
  usage: `board info ${CONNECTION_USAGE}`,
  options: { ...CONNECTION_OPTIONS },
  allowPositionals: false,
  async run({ values }, ctx) {
    const client = await connectFromFlags(values);
    try {
      const r = await client.request('INFO');
      const b = r.body as Record<string, any>;
      ctx.log(`board     ${b.board} (${b.part}), agent ${b.agent}, engine ${b.backend}, protocol ${b.protocol} over ${client.description}`);
      ctx.log(`overlay   ${b.overlay ?? '(none)'}`);
      ctx.log(`hwh       ${b.hwh ?? '(none)'}`);
      ctx.log(`bundle    ${b.bundle ?? '(none)'}${b.deployId ? `  (deployment ${b.deployId})` : ''}`);
      if (b.clockHz) ctx.log(`clock     ${(b.clockHz / 1e6).toFixed(1)} MHz`);
      if (b.io) {
        for (const t of b.io.inputs) ctx.log(`input     ${t.name} int16 [${t.shape.join(', ')}] Q${16 - t.f}.${t.f}`);
        for (const t of b.io.outputs) ctx.log(`output    ${t.name} int16 [${t.shape.join(', ')}] Q${16 - t.f}.${t.f}`);
      }
      ctx.log(`limits    frame ${b.limits.maxFrame} B, upload ${b.limits.maxUpload} B, chunk ${b.limits.chunkSize} B, window ${b.limits.window}`);
      ctx.log(`cache     ${b.cache.objects.length} object(s), ${b.cache.bytes} bytes`);
      for (const o of b.cache.objects) ctx.log(`          ${o.kind.padEnd(9)} ${o.sha256}  ${o.size} B`);
      for (const m of b.registerRanges ?? []) ctx.log(`mmio      ${m.instance.padEnd(14)} 0x${m.base.toString(16)}-0x${m.high.toString(16)}`);
      return b;
    } finally {
      await client.close();
    }
  },
};
