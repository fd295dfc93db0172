// A static check of the generated Tcl against overlay/vivado-reference.ts: a small Tcl word parser
// (commands split at newlines and semicolons, braces, quotes, [command substitution], the script
// bodies of if / foreach / catch) that lists every command, option and property the scripts use and
// reports each one the reference list lacks. cnna overlay runs it before writing the files; the tests
// run it again with `info complete` in a real tclsh.
//
// Invariant: an unknown command, option, property, IP CONFIG name or automation rule is an error
// naming the file and line; nothing is skipped silently (a word the parser cannot read is an error too).
import { BD_RULES, IP_CONFIG, OBJECT_PROPERTIES, READ_PROPERTIES, TCL_BUILTINS, VIVADO_COMMANDS } from './vivado-reference.ts';

export interface TclWord { text: string; kind: 'bare' | 'brace' | 'quote' }
export interface TclCommand { words: TclWord[]; line: number }

export interface TclUsage {
  commands: Set<string>;
  /** "cell VLNV -> CONFIG name" pairs, e.g. xilinx.com:ip:smartconnect CONFIG.NUM_SI. */
  ipConfig: Array<{ cell: string; vlnv: string; name: string; value: string }>;
  cells: Map<string, string>;
  errors: string[];
}

class Reader {
  i = 0;
  constructor(readonly s: string, readonly line0: number) {}
  line(at = this.i): number {
    let n = this.line0;
    for (let k = 0; k < at; k++) if (this.s[k] === '\n') n++;
    return n;
  }
  /** Index just after the bracket or brace group that opens at `at`. */
  group(at: number, open: string, close: string): number {
    let depth = 0;
    for (let k = at; k < this.s.length; k++) {
      const ch = this.s[k];
      if (ch === '\\') { k++; continue; }
      if (ch === open) depth++;
      else if (ch === close && --depth === 0) return k + 1;
    }
    throw new Error(`unbalanced ${open}${close} from line ${this.line(at)}`);
  }
}

/** Splits a script into commands and words (enough Tcl for the generator's own output). */
export function parseTcl(script: string, line0 = 1): TclCommand[] {
  const r = new Reader(script, line0);
  const s = script;
  const out: TclCommand[] = [];
  const n = s.length;
  while (r.i < n) {
    while (r.i < n && /[\s;]/.test(s[r.i])) r.i++;
    if (r.i >= n) break;
    if (s[r.i] === '#') { while (r.i < n && s[r.i] !== '\n') r.i++; continue; }
    const line = r.line();
    const words: TclWord[] = [];
    while (r.i < n && s[r.i] !== '\n' && s[r.i] !== ';') {
      if (s[r.i] === ' ' || s[r.i] === '\t') { r.i++; continue; }
      if (s[r.i] === '\\' && s[r.i + 1] === '\n') { r.i += 2; continue; }
      const start = r.i;
      if (s[r.i] === '{') {
        r.i = r.group(r.i, '{', '}');
        words.push({ text: s.slice(start + 1, r.i - 1), kind: 'brace' });
      } else if (s[r.i] === '"') {
        r.i++;
        while (r.i < n && s[r.i] !== '"') {
          if (s[r.i] === '\\') r.i += 2;
          else if (s[r.i] === '[') r.i = r.group(r.i, '[', ']');
          else r.i++;
        }
        if (r.i >= n) throw new Error(`unterminated quote from line ${line}`);
        r.i++;
        words.push({ text: s.slice(start + 1, r.i - 1), kind: 'quote' });
      } else {
        while (r.i < n && !/[\s;]/.test(s[r.i])) {
          if (s[r.i] === '[') r.i = r.group(r.i, '[', ']');
          else if (s[r.i] === '\\') r.i += 2;
          else r.i++;
        }
        words.push({ text: s.slice(start, r.i), kind: 'bare' });
      }
    }
    if (words.length) out.push({ words, line });
  }
  return out;
}

/** The [command substitutions] inside a word or expression, as scripts. */
function substitutions(text: string): string[] {
  const out: string[] = [];
  for (let k = 0; k < text.length; k++) {
    if (text[k] === '\\') { k++; continue; }
    if (text[k] !== '[') continue;
    let depth = 0;
    let j = k;
    for (; j < text.length; j++) {
      if (text[j] === '\\') { j++; continue; }
      if (text[j] === '[') depth++;
      else if (text[j] === ']' && --depth === 0) break;
    }
    out.push(text.slice(k + 1, j));
    k = j;
  }
  return out;
}

/** Scans a generated script; `ownIps` are the VLNVs the overlay packages itself. */
export function checkTcl(script: string, file: string, ownIps: string[] = [], usage?: TclUsage): TclUsage {
  const u: TclUsage = usage ?? { commands: new Set(), ipConfig: [], cells: new Map(), errors: [] };
  const err = (line: number, msg: string): void => { u.errors.push(`${file}:${line}: ${msg}`); };
  const visit = (text: string, line0: number): void => {
    let cmds: TclCommand[];
    try { cmds = parseTcl(text, line0); } catch (e) { err(line0, (e as Error).message); return; }
    for (const cmd of cmds) one(cmd);
  };
  const scanWords = (cmd: TclCommand, from: number): void => {
    for (const w of cmd.words.slice(from)) if (w.kind !== 'brace') for (const sub of substitutions(w.text)) visit(sub, cmd.line);
  };
  const one = (cmd: TclCommand): void => {
    const [head, ...rest] = cmd.words;
    const name = head.text;
    if (head.kind !== 'bare' || /[[$]/.test(name)) { err(cmd.line, `computed command name ${name}`); return; }
    u.commands.add(name);
    const ref = VIVADO_COMMANDS[name];
    if (!ref && !TCL_BUILTINS.has(name)) { err(cmd.line, `${name} is neither a Tcl built-in nor a Vivado command in overlay/vivado-reference.ts`); return; }
    if (ref) {
      for (const w of rest) {
        if (w.kind === 'bare' && /^-[a-z_]+$/.test(w.text) && !ref.options.includes(w.text)) err(cmd.line, `${name} ${w.text}: option not in overlay/vivado-reference.ts (${ref.doc})`);
      }
    }
    // Script bodies and expressions of the control commands.
    if (name === 'if') {
      let k = 1;
      while (k < cmd.words.length) {
        const w = cmd.words[k];
        if (w.text === 'else') { visit(cmd.words[k + 1]?.text ?? '', cmd.line); break; }
        if (w.text === 'elseif') { k++; continue; }
        for (const sub of substitutions(w.text)) visit(sub, cmd.line);
        const body = cmd.words[k + 1];
        if (body) visit(body.text, cmd.line);
        k += 2;
      }
      return;
    }
    if (name === 'foreach') { scanWords(cmd, 1); visit(cmd.words[cmd.words.length - 1].text, cmd.line); return; }
    if (name === 'catch') { visit(cmd.words[1]?.text ?? '', cmd.line); return; }
    scanWords(cmd, 1);
    if (name === 'create_bd_cell') {
      const v = rest.findIndex((w) => w.text === '-vlnv');
      const vlnv = rest[v + 1]?.text ?? '';
      const cell = rest[rest.length - 1].text;
      const known = IP_CONFIG[vlnv] !== undefined || ownIps.includes(vlnv);
      if (!known) err(cmd.line, `create_bd_cell of ${vlnv}: IP not in overlay/vivado-reference.ts`);
      u.cells.set(cell, vlnv);
    }
    if (name === 'apply_bd_automation') {
      const rule = rest[rest.findIndex((w) => w.text === '-rule') + 1]?.text ?? '';
      const cfg = rest[rest.findIndex((w) => w.text === '-config') + 1];
      const r = BD_RULES[rule];
      if (!r) err(cmd.line, `apply_bd_automation rule ${rule} not in overlay/vivado-reference.ts`);
      else if (cfg) {
        const ws = parseTcl(cfg.text)[0]?.words ?? [];
        for (let k = 0; k < ws.length; k += 2) if (!r.keys.includes(ws[k].text)) err(cmd.line, `apply_bd_automation ${rule}: config key ${ws[k].text} not in overlay/vivado-reference.ts`);
      }
    }
    if (name === 'set_property') {
      if (rest[0]?.text === '-dict') {
        const list = substitutions(rest[1]?.text ?? '')[0] ?? '';
        const ws = parseTcl(list)[0]?.words ?? [];
        if (ws[0]?.text !== 'list') { err(cmd.line, 'set_property -dict takes [list ...]'); return; }
        const target = substitutions(rest[2]?.text ?? '')[0] ?? '';
        const t = /^get_bd_cells\s+(\S+)$/.exec(target.trim());
        if (!t) { err(cmd.line, `set_property -dict on ${rest[2]?.text}: the target must be [get_bd_cells NAME]`); return; }
        const vlnv = u.cells.get(t[1]);
        if (!vlnv) { err(cmd.line, `set_property -dict on cell ${t[1]}, which no create_bd_cell made before`); return; }
        for (let k = 1; k + 1 < ws.length; k += 2) {
          const key = ws[k].text;
          const m = /^CONFIG\.([A-Za-z0-9_]+)$/.exec(key);
          if (!m) { err(cmd.line, `set_property -dict key ${key} is not CONFIG.<name>`); continue; }
          u.ipConfig.push({ cell: t[1], vlnv, name: m[1], value: ws[k + 1].text });
          if (!IP_CONFIG[vlnv]?.config.includes(m[1])) err(cmd.line, `${vlnv} has no CONFIG.${m[1]} in overlay/vivado-reference.ts`);
        }
      } else if (!(rest[0]?.text in OBJECT_PROPERTIES)) {
        err(cmd.line, `set_property ${rest[0]?.text}: property not in overlay/vivado-reference.ts`);
      }
    }
    if (name === 'get_property' && !(rest[0]?.text in READ_PROPERTIES)) err(cmd.line, `get_property ${rest[0]?.text}: property not in overlay/vivado-reference.ts`);
  };
  visit(script, 1);
  return u;
}
