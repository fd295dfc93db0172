// A small, non-recursive XML reader for Vivado hand-off (.hwh) files. It builds an element
// tree with an explicit stack. Invariants: input above `maxBytes`, nesting above `maxDepth`,
// more than `maxElements` elements, a DOCTYPE (no entity expansion), an unknown entity, a
// mismatched or unclosed tag, or a second root each throw CnnaError('E_FORMAT' | 'E_LIMIT')
// naming the source, line and column. Namespaces are kept as part of the name.

import { CnnaError } from '../../compiler/errors/cnna-error.ts';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
  maxAttributes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 256,
  maxElements: 4_000_000,
  maxAttributes: 256,
};

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[-A-Za-z0-9_:.\u00B7\u00C0-\uFFFF]/;

function lineCol(src: string, pos: number): string {
  let line = 1;
  let last = -1;
  for (let i = src.indexOf('\n'); i !== -1 && i < pos; i = src.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return `line ${line}, column ${pos - last}`;
}

function decodeEntities(raw: string, src: string, at: number, source: string): string {
  if (raw.indexOf('&') === -1) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const amp = raw.indexOf('&', i);
    if (amp === -1) {
      out += raw.slice(i);
      break;
    }
    out += raw.slice(i, amp);
    const semi = raw.indexOf(';', amp);
    if (semi === -1 || semi - amp > 12) {
      throw new CnnaError('E_FORMAT', `${source}: unterminated entity reference at ${lineCol(src, at + amp)}`, {
        hint: 'write a literal "&" as "&amp;"',
      });
    }
    const ent = raw.slice(amp + 1, semi);
    let ch: string | undefined;
    if (ent === 'lt') ch = '<';
    else if (ent === 'gt') ch = '>';
    else if (ent === 'amp') ch = '&';
    else if (ent === 'quot') ch = '"';
    else if (ent === 'apos') ch = "'";
    else if (/^#x[0-9A-Fa-f]{1,6}$/.test(ent) || /^#[0-9]{1,7}$/.test(ent)) {
      const code = ent[1] === 'x' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      if (code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) ch = String.fromCodePoint(code);
    }
    if (ch === undefined) {
      throw new CnnaError('E_FORMAT', `${source}: unknown or invalid entity "&${ent};" at ${lineCol(src, at + amp)}`, {
        hint: 'only the five XML entities and numeric character references are accepted',
      });
    }
    out += ch;
    i = semi + 1;
  }
  return out;
}

/** Parses `src` into its root element. `source` names the input in error messages. */
export function parseXml(src: string, source = 'XML input', limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (src.length > limits.maxBytes) {
    throw new CnnaError('E_LIMIT', `${source}: ${src.length} characters is above the XML size limit of ${limits.maxBytes}`, {
      hint: 'check that this is the right file; a .hwh is usually a few MB',
    });
  }
  const fail = (pos: number, what: string): never => {
    throw new CnnaError('E_FORMAT', `${source}: malformed XML at ${lineCol(src, pos)}: ${what}`, {
      hint: 'the file may be truncated or not an XML (.hwh) file; re-export the hardware hand-off from Vivado',
    });
  };
  const n = src.length;
  let pos = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let elements = 0;

  const readName = (): string => {
    const start = pos;
    if (pos >= n || !NAME_START.test(src[pos]!)) fail(pos, 'expected a name');
    pos++;
    while (pos < n && NAME_CHAR.test(src[pos]!)) pos++;
    return src.slice(start, pos);
  };
  const skipWs = (): void => {
    while (pos < n) {
      const c = src.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      pos++;
    }
  };
  const addText = (t: string): void => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
    else if (t.trim() !== '') fail(pos, 'text outside the root element');
  };

  while (pos < n) {
    const lt = src.indexOf('<', pos);
    if (lt === -1) {
      addText(decodeEntities(src.slice(pos), src, pos, source));
      pos = n;
      break;
    }
    if (lt > pos) {
      const raw = src.slice(pos, lt);
      if (raw.indexOf(']]>') !== -1) fail(pos + raw.indexOf(']]>'), '"]]>" in text');
      addText(decodeEntities(raw, src, pos, source));
    }
    pos = lt;
    if (src.startsWith('<?', pos)) {
      const end = src.indexOf('?>', pos + 2);
      if (end === -1) fail(pos, 'unterminated processing instruction');
      pos = end + 2;
    } else if (src.startsWith('<!--', pos)) {
      const end = src.indexOf('-->', pos + 4);
      if (end === -1) fail(pos, 'unterminated comment');
      pos = end + 3;
    } else if (src.startsWith('<![CDATA[', pos)) {
      const end = src.indexOf(']]>', pos + 9);
      if (end === -1) fail(pos, 'unterminated CDATA section');
      if (stack.length === 0) fail(pos, 'CDATA outside the root element');
      addText(src.slice(pos + 9, end));
      pos = end + 3;
    } else if (src.startsWith('<!', pos)) {
      fail(pos, 'DOCTYPE and other declarations are not accepted');
    } else if (src.startsWith('</', pos)) {
      pos += 2;
      const name = readName();
      skipWs();
      if (src[pos] !== '>') fail(pos, `expected ">" to end closing tag </${name}>`);
      const top = stack.pop();
      if (!top) fail(pos, `closing tag </${name}> without an open element`);
      if (top!.name !== name) fail(pos, `closing tag </${name}> does not match open <${top!.name}>`);
      pos++;
    } else {
      pos++;
      const name = readName();
      const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
      let count = 0;
      let selfClose = false;
      for (;;) {
        const before = pos;
        skipWs();
        if (pos >= n) fail(pos, `unterminated start tag <${name}>`);
        if (src[pos] === '>') {
          pos++;
          break;
        }
        if (src[pos] === '/') {
          if (src[pos + 1] !== '>') fail(pos, `expected "/>" in <${name}>`);
          pos += 2;
          selfClose = true;
          break;
        }
        if (pos === before) fail(pos, `expected whitespace before attribute in <${name}>`);
        const attrAt = pos;
        const key = readName();
        skipWs();
        if (src[pos] !== '=') fail(pos, `attribute ${key} of <${name}> has no "="`);
        pos++;
        skipWs();
        const q = src[pos];
        if (q !== '"' && q !== "'") fail(pos, `attribute ${key} of <${name}> has no quoted value`);
        const end = src.indexOf(q!, pos + 1);
        if (end === -1) fail(pos, `unterminated value of attribute ${key} in <${name}>`);
        const raw = src.slice(pos + 1, end);
        if (raw.indexOf('<') !== -1) fail(pos + 1 + raw.indexOf('<'), `"<" in the value of attribute ${key}`);
        if (Object.prototype.hasOwnProperty.call(attrs, key)) fail(attrAt, `duplicate attribute ${key} in <${name}>`);
        if (++count > limits.maxAttributes) {
          throw new CnnaError('E_LIMIT', `${source}: element <${name}> at ${lineCol(src, attrAt)} has more than ${limits.maxAttributes} attributes`);
        }
        attrs[key] = decodeEntities(raw, src, pos + 1, source);
        pos = end + 1;
      }
      if (++elements > limits.maxElements) {
        throw new CnnaError('E_LIMIT', `${source}: more than ${limits.maxElements} XML elements`);
      }
      const el: XmlElement = { name, attrs, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) fail(lt, `second root element <${name}>`);
      else root = el;
      if (!selfClose) {
        if (stack.length >= limits.maxDepth) {
          throw new CnnaError('E_LIMIT', `${source}: XML nesting deeper than ${limits.maxDepth} at ${lineCol(src, lt)}`);
        }
        stack.push(el);
      }
    }
  }
  if (stack.length > 0) fail(n, `end of input inside <${stack[stack.length - 1]!.name}> (file truncated?)`);
  if (!root) fail(n, 'no root element');
  return root!;
}

/** Direct children of `el` named `name`. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** First direct child of `el` named `name`. */
export function childNamed(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}
