// The import graph of compiler/ follows compiler/README.md ("What it may import"): a static scan of the
// import statements of every source file (not *.test.ts or *-test-utils.ts, which may use fixtures from
// elsewhere). The rules keep the graph acyclic: bottom (errors, util, ir, contracts) -> onnx, data -> golden
// -> passes, quant -> backend.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./', import.meta.url));

/** Folder of compiler/ -> the folders its sources may import (besides itself and npm packages). */
const MAY_IMPORT: Record<string, string[]> = {
  errors: [],
  util: ['errors'],
  ir: ['errors', 'util'],
  contracts: ['errors'],
  onnx: ['ir', 'errors', 'util'],
  data: ['ir', 'errors', 'util', 'onnx'],
  // golden/float borrows the worker launcher of golden/fixed; golden/fixed never imports golden/float.
  'golden/float': ['ir', 'errors', 'util', 'golden/fixed'],
  'golden/fixed': ['ir', 'errors', 'util', 'data'],
  passes: ['ir', 'golden/float', 'errors', 'util'],
  quant: ['ir', 'golden/float', 'golden/fixed', 'errors', 'util', 'passes', 'data'],
  backend: ['ir', 'golden/float', 'golden/fixed', 'quant', 'contracts', 'errors', 'util', 'passes', 'onnx'],
};

function area(rel: string): string {
  const parts = rel.split('/');
  return parts[0] === 'golden' ? `golden/${parts[1]}` : parts[0];
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('-test-utils.ts') ? [p] : [];
  });
}

describe('compiler import rules', () => {
  it('every import of a compiler source points to a folder compiler/README allows, never outside compiler/', () => {
    const bad: string[] = [];
    for (const f of sources(root)) {
      const rel = relative(root, f);
      if (!rel.includes('/')) continue;
      const from = area(rel);
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
        const spec = m[1] ?? m[2];
        const target = relative(root, resolve(dirname(f), spec));
        if (target.startsWith('..')) { bad.push(`${rel} imports ${spec} (outside compiler/)`); continue; }
        const to = area(target);
        if (to === from) continue;
        const allowed = MAY_IMPORT[from];
        if (!allowed) { bad.push(`${rel}: folder ${from} has no import rule`); continue; }
        if (!allowed.includes(to)) bad.push(`${rel} imports ${spec} (${from} may import ${allowed.join(', ') || 'nothing'})`);
      }
    }
    expect(bad).toEqual([]);
  });
});
