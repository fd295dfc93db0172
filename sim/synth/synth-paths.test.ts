// `cnna synth --paths N`: the timing report lists the N worst paths (one per end register), re-timing the
// cached netlist without re-synthesizing. The cache is seeded with a hand-written netlist of six
// register chains with 1..6 LUTs each, so the expected paths and delays follow from timing-model.ts:
// clock-to-out 0.10 + per hop (net 0.30 + LUT 0.15) + last net 0.30 + setup 0.06.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, ultra96 } from '../../boards/ultra96/board.ts';
import { cnna } from '../../test/cli/run-cli.ts';
import type { YosysCell, YosysNetlist } from './timing.ts';
import { runSynth, synthCacheKey } from './yosys.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnna-synth-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function chains(): YosysNetlist {
  const cells: Record<string, YosysCell> = {};
  const netnames: YosysNetlist['modules'][string]['netnames'] = {};
  let bit = 10;
  for (let k = 1; k <= 6; k++) {
    const q = bit++;
    cells[`s${k}`] = { type: 'FDRE', port_directions: { C: 'input', CE: 'input', R: 'input', D: 'input', Q: 'output' }, connections: { C: [2], CE: ['1'], R: ['0'], D: ['0'], Q: [q] } };
    netnames[`start${k}`] = { bits: [q] };
    let prev = q;
    for (let i = 0; i < k; i++) {
      const o = bit++;
      cells[`l${k}_${i}`] = { type: 'LUT1', port_directions: { I0: 'input', O: 'output' }, connections: { I0: [prev], O: [o] } };
      prev = o;
    }
    cells[`e${k}`] = { type: 'FDRE', port_directions: { C: 'input', CE: 'input', R: 'input', D: 'input', Q: 'output' }, connections: { C: [2], CE: ['1'], R: ['0'], D: [prev], Q: [bit++] } };
    netnames[`end${k}`] = { bits: [bit - 1] };
  }
  return { modules: { cnna_top: { attributes: { top: 1 }, cells, netnames } } };
}

const stat = '=== cnna_top ===\n\n   Number of cells:               18\n     FDRE                          12\n     LUT1                          21\n';

describe('cnna synth --paths', () => {
  it('lists the N worst paths of the cached netlist, worst first (default 5)', async () => {
    const config = defaultConfig();
    const key = synthCacheKey(config, (await execa('yosys', ['-V'])).stdout.trim());
    writeFileSync(join(dir, `${key}.json`), JSON.stringify({ key, stat }));
    writeFileSync(join(dir, `${key}.netlist.json.gz`), gzipSync(JSON.stringify(chains())));
    const six = await runSynth(config, ultra96, { cacheDir: dir, paths: 6 });
    expect(six.cached).toBe(true);
    expect(six.timing.paths.map((p) => [p.from, p.to, p.levels, p.ns])).toEqual([
      ['start6', 'end6', 6, 3.16], ['start5', 'end5', 5, 2.71], ['start4', 'end4', 4, 2.26],
      ['start3', 'end3', 3, 1.81], ['start2', 'end2', 2, 1.36], ['start1', 'end1', 1, 0.91],
    ]);
    expect(six.timing.fmaxMhz).toBe(316.5);
    expect((await runSynth(config, ultra96, { cacheDir: dir, paths: 2 })).timing.paths.map((p) => p.to)).toEqual(['end6', 'end5']);
    expect((await runSynth(config, ultra96, { cacheDir: dir })).timing.paths).toHaveLength(5);
  });

  it('refuses a --paths that is not a positive integer before synthesizing', () => {
    for (const bad of ['0', '-3', '2x']) {
      const r = cnna(['synth', `--paths=${bad}`]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`cnna: error [E_USAGE]: synth: --paths '${bad}' is not a positive integer\n  hint: e.g. --paths 40 lists the 40 worst register-to-register paths\n`);
    }
  });
});
