// The small XML reader: structure, entities, limits and exact error messages.
import { describe, expect, it } from 'vitest';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { DEFAULT_XML_LIMITS, parseXml } from './xml-tree.ts';

const err = (src: string, limits = DEFAULT_XML_LIMITS): CnnaError => {
  try {
    parseXml(src, 'in.xml', limits);
  } catch (e) {
    if (e instanceof CnnaError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('parseXml', () => {
  it('builds the tree with attributes, text, comments, PIs, CDATA and a BOM', () => {
    const root = parseXml(
      '\uFEFF<?xml version="1.0"?>\n<!-- c --><a x="1" y=\'two\'>hi <b/><c k="&lt;&amp;&#65;&#x42;&quot;&apos;&gt;">t<![CDATA[<raw>&amp;]]></c ></a>\n',
    );
    expect(root.name).toBe('a');
    expect(root.attrs).toEqual({ x: '1', y: 'two' });
    expect(root.children.map((c) => c.name)).toEqual(['b', 'c']);
    expect(root.children[1]!.attrs.k).toBe('<&AB"\'>');
    expect(root.children[1]!.text).toBe('t<raw>&amp;');
    expect(root.text).toBe('hi ');
  });

  it('is not recursive: 200 levels deep parse, 257 levels hit the depth limit', () => {
    const deep = (n: number) => '<e>'.repeat(n) + '</e>'.repeat(n);
    let el = parseXml(deep(200));
    let depth = 1;
    while (el.children.length > 0) {
      el = el.children[0]!;
      depth++;
    }
    expect(depth).toBe(200);
    const e = err(deep(257));
    expect([e.code, e.message]).toEqual(['E_LIMIT', 'in.xml: XML nesting deeper than 256 at line 1, column 769']);
  });

  it('enforces the size limit before reading', () => {
    const e = err('<a/>'.padEnd(100, ' '), { ...DEFAULT_XML_LIMITS, maxBytes: 99 });
    expect([e.code, e.message]).toEqual(['E_LIMIT', 'in.xml: 100 characters is above the XML size limit of 99']);
  });

  it('reports malformed input with line and column', () => {
    const cases: Array<[string, string]> = [
      ['<a><b></a>', 'malformed XML at line 1, column 10: closing tag </a> does not match open <b>'],
      ['<a>\n<b>', 'malformed XML at line 2, column 4: end of input inside <b> (file truncated?)'],
      ['<a x=1/>', 'malformed XML at line 1, column 6: attribute x of <a> has no quoted value'],
      ['<a x="1" x="2"/>', 'malformed XML at line 1, column 10: duplicate attribute x in <a>'],
      ['<a x="1"y="2"/>', 'malformed XML at line 1, column 9: expected whitespace before attribute in <a>'],
      ['<a x="<"/>', 'malformed XML at line 1, column 7: "<" in the value of attribute x'],
      ['<a/><b/>', 'malformed XML at line 1, column 5: second root element <b>'],
      ['', 'malformed XML at line 1, column 1: no root element'],
      ['hello', 'malformed XML at line 1, column 1: text outside the root element'],
      ['<!DOCTYPE a [<!ENTITY x "y">]><a/>', 'malformed XML at line 1, column 1: DOCTYPE and other declarations are not accepted'],
      ['<a><!-- x </a>', 'malformed XML at line 1, column 4: unterminated comment'],
      ['</a>', 'malformed XML at line 1, column 4: closing tag </a> without an open element'],
      ['<1a/>', 'malformed XML at line 1, column 2: expected a name'],
    ];
    for (const [src, msg] of cases) {
      const e = err(src);
      expect([e.code, e.message], src).toEqual(['E_FORMAT', `in.xml: ${msg}`]);
    }
    expect(err('<a k="&bogus;"/>').message).toBe('in.xml: unknown or invalid entity "&bogus;" at line 1, column 7');
    expect(err('<a k="&#0;"/>').message).toBe('in.xml: unknown or invalid entity "&#0;" at line 1, column 7');
    expect(err('<a>a & b</a>').message).toBe('in.xml: unterminated entity reference at line 1, column 6');
  });

  it('never throws anything but CnnaError on 3,000 mutated inputs', () => {
    const base = '<EDKSYSTEM a="1"><MODULES><MODULE INSTANCE="x"><P N="&amp;"/></MODULE></MODULES><!--c--></EDKSYSTEM>';
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    let ok = 0;
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const chars = base.split('');
      for (let k = 0, m = 1 + rnd(4); k < m; k++) {
        const at = rnd(chars.length);
        const op = rnd(3);
        const ch = '<>/="&;!-? a'[rnd(12)]!;
        if (op === 0) chars[at] = ch;
        else if (op === 1) chars.splice(at, 1);
        else chars.splice(at, 0, ch);
      }
      try {
        parseXml(chars.join(''), 'm');
        ok++;
      } catch (e) {
        expect(e).toBeInstanceOf(CnnaError);
        rejected++;
      }
    }
    expect(ok + rejected).toBe(3000);
    expect(rejected).toBeGreaterThan(1000);
  });
});
