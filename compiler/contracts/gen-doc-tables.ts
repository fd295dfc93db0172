// Generates the contract tables of the docs (registers and status codes in docs/engine.md, the HEADER
// record and the JOB descriptor in docs/bundle-format.md) from register-map.ts and bundle-format.ts.
// A table lives between `<!-- generated: NAME (compiler/contracts/gen-doc-tables.ts) -->` and
// `<!-- end generated -->`; applyDocTables() rewrites every such block, and
// test/contracts/generated-files.test.ts checks the committed docs are unchanged by it.
import { DESC_FIELDS, HEADER_FIELDS } from './bundle-format.ts';
import { EngineStatus, Reg, REG_DOCS, REG_SPAN, STATUS_DOCS, type RegName, type StatusName } from './register-map.ts';

const hex2 = (v: number): string => `0x${v.toString(16).toUpperCase().padStart(2, '0')}`;
const cell = (s: string): string => s.replace(/\|/g, '\\|');

function registerTable(): string[] {
  const L = ['| Offset | Name | Access | |', '| --- | --- | --- | --- |'];
  for (const n of Object.keys(Reg) as RegName[]) L.push(`| ${hex2(Reg[n])} | ${n} | ${REG_DOCS[n].access} | ${cell(REG_DOCS[n].doc)} |`);
  L.push('', `Registers span ${hex2(REG_SPAN)} bytes; other offsets read 0 and ignore writes.`);
  return L;
}

function statusTable(): string[] {
  const L = ['| STATUS | Name | Meaning |', '| --- | --- | --- |'];
  for (const n of Object.keys(EngineStatus) as StatusName[]) L.push(`| ${EngineStatus[n]} | ${n} | ${cell(STATUS_DOCS[n])} |`);
  return L;
}

function headerTable(): string[] {
  const L = ['| Bytes | Field | Meaning |', '| --- | --- | --- |'];
  for (const h of HEADER_FIELDS) {
    const b = h.bits / 8;
    L.push(`| ${b === 1 ? h.offset : `${h.offset}–${h.offset + b - 1}`} | ${h.name} | ${cell(h.doc)} |`);
  }
  return L;
}

function descriptorTable(): string[] {
  const L = ['| Field | Byte | Bits | Meaning |', '| --- | --- | --- | --- |'];
  for (const f of DESC_FIELDS) {
    const bits = f.bits % 8 === 0 && f.lsb === 0 ? `${f.bits}${f.signed ? ' signed' : ''}` : `[${f.lsb + f.bits - 1}:${f.lsb}]`;
    L.push(`| ${f.name} | ${f.offset} | ${bits} | ${cell(f.doc)} |`);
  }
  return L;
}

export const DOC_TABLES: Record<string, () => string[]> = {
  registers: registerTable,
  'status-codes': statusTable,
  'header-record': headerTable,
  'job-descriptor': descriptorTable,
};

const BLOCK = /(<!-- generated: ([a-z-]+) \(compiler\/contracts\/gen-doc-tables\.ts\) -->\n)([\s\S]*?)(<!-- end generated -->)/g;

/** The markdown with every generated block rewritten; an unknown block name throws. */
export function applyDocTables(markdown: string): string {
  return markdown.replace(BLOCK, (_m, open: string, name: string, _body: string, close: string) => {
    const gen = DOC_TABLES[name];
    if (!gen) throw new Error(`unknown generated doc table '${name}' (known: ${Object.keys(DOC_TABLES).join(', ')})`);
    return `${open}${gen().join('\n')}\n${close}`;
  });
}

/** Names of the generated blocks a markdown text holds. */
export function docTableNames(markdown: string): string[] {
  return [...markdown.matchAll(BLOCK)].map((m) => m[2]);
}
