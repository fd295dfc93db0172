// The files generated from compiler/contracts/ that are committed (the agent's contract.py, the contract
// tables of the docs) equal the generators' output; the RTL's package holds exactly what the RTL uses.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { applyDocTables, docTableNames } from '../../compiler/contracts/gen-doc-tables.ts';
import { genPythonContract } from '../../compiler/contracts/gen-python-contract.ts';
import { genSvPackage } from '../../compiler/contracts/gen-sv-package.ts';
import { EngineStatus, Reg, describeStatus } from '../../compiler/contracts/register-map.ts';
import { rtlPackage, rtlPackageUses } from '../../sim/verilator/rtl-sources.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fix = 'run `node --import tsx scripts/gen-contracts.ts`';

describe('generated contract files', () => {
  it('boards/ultra96/agent/cnna_agent/contract.py equals the generator output', () => {
    const committed = readFileSync(join(root, 'boards/ultra96/agent/cnna_agent/contract.py'), 'utf8');
    expect(committed, fix).toBe(genPythonContract());
  });

  it('the Python module holds the TypeScript values (read back by python3)', () => {
    const out = execFileSync('python3', ['-c', 'import json, contract as c; print(json.dumps([c.CTRL, c.STATUS, c.WR_BEATS, c.SPAN, c.HEADER_MAGIC, c.OPCODE_HEADER, c.STATUS_NAMES[3], c.HDR_OFF_HASH_HI, c.ARCHIVE_MAGIC.decode("latin1")]))'],
      { cwd: join(root, 'boards/ultra96/agent/cnna_agent') }).toString();
    expect(JSON.parse(out)).toEqual([0, 0x28, 0x3c, 0x40, 0x414e4e43, 15, 'CONFIG_MISMATCH', 20, 'CNNAB1\0\0']);
  });

  it('the contract tables of docs/engine.md and docs/bundle-format.md are up to date', () => {
    const engine = readFileSync(join(root, 'docs/engine.md'), 'utf8');
    const bundle = readFileSync(join(root, 'docs/bundle-format.md'), 'utf8');
    expect(docTableNames(engine)).toEqual(['registers', 'status-codes']);
    expect(docTableNames(bundle)).toEqual(['header-record', 'job-descriptor']);
    expect(engine, fix).toBe(applyDocTables(engine));
    expect(bundle, fix).toBe(applyDocTables(bundle));
    expect(engine).toContain('| 0x28 | STATUS | R | status code of the last run (0 ok; the table below) |');
    expect(engine).toContain('| 3 | CONFIG_MISMATCH | the bundle was compiled for another hardware config |');
  });

  it('the RTL package holds only the names the RTL references, and refuses a name the contract lacks', () => {
    const uses = rtlPackageUses();
    const text = rtlPackage(defaultConfig());
    const names = [...text.matchAll(/localparam [^=]* ([A-Z][A-Z0-9_]*) = /g)].map((m) => m[1]).sort();
    expect(names).toEqual([...uses].sort());
    expect(names).toContain('REG_STATUS');
    expect(names).toContain('H_MAGIC_LSB');
    expect(text).toContain(`localparam int unsigned REG_STATUS = 'h${Reg.STATUS.toString(16)};`);
    expect(() => genSvPackage(defaultConfig(), { uses: new Set(['PI', 'NO_SUCH_NAME']) }))
      .toThrow('the RTL references cnna_pkg::NO_SUCH_NAME, which the contract does not define');
  });

  it('describes status codes from the one table', () => {
    expect(describeStatus(EngineStatus.CONFIG_MISMATCH)).toBe('3 CONFIG_MISMATCH (the bundle was compiled for another hardware config)');
    expect(describeStatus(99)).toBe('99 (unknown status)');
  });
});
