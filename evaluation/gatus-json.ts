// JSON bodies for Gatus-style `[BODY].path` conditions. Parsed here rather than with JSON.parse so
// that: numbers keep the text they were written with (an id beyond 2^53 is compared exactly, not
// as the nearest double); objects are Maps, so a path reads the body's own keys only (`__proto__`
// and `constructor` are ordinary, usually missing, fields); nesting is bounded without recursion
// (Go's limit, 10,000 levels), so a hostile body cannot overflow the stack. Values print the way
// Gatus prints them (TwiN/gatus jsonpath/jsonpath.go): arrays as Go's %v, objects as Go's minified
// JSON with sorted keys. Pure and workflow-safe.
import { formatGoFloat, utf8Length } from './gatus-values.js';

export class JsonNumber {
  constructor(readonly text: string) {}
}
export type JsonObject = Map<string, JsonValue>;
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

/** encoding/json's nesting limit, past which Go (and so Gatus) refuses the body. */
export const MAX_JSON_DEPTH = 10_000;

export type ParsedJson = { value: JsonValue } | { problem: 'not JSON' | 'too deep' };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

type Frame = { array: JsonValue[] } | { object: JsonObject; key: string };

export function parseJson(text: string): ParsedJson {
  const n = text.length;
  let i = 0;
  const space = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  };
  const string = (): string | undefined => {
    if (text[i] !== '"') return undefined;
    i++;
    let out = '';
    for (;;) {
      let j = i;
      for (let c = text.charCodeAt(j); j < n && c !== 34 && c !== 92 && c >= 0x20; c = text.charCodeAt(++j));
      out += text.slice(i, j);
      i = j;
      if (i >= n || text.charCodeAt(i) < 0x20) return undefined;
      if (text[i] === '"') {
        i++;
        return out;
      }
      const e = text[i + 1];
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
        let cp = parseInt(hex, 16);
        i += 6;
        if (
          cp >= 0xd800 &&
          cp < 0xdc00 &&
          text[i] === '\\' &&
          text[i + 1] === 'u' &&
          /^[dD][c-fC-F][0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 6))
        ) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (parseInt(text.slice(i + 2, i + 6), 16) - 0xdc00);
          i += 6;
        } else if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd; // a lone surrogate, as Go replaces it
        out += String.fromCodePoint(cp);
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        i += 2;
      } else return undefined;
    }
  };

  const stack: Frame[] = [];
  for (;;) {
    space();
    let value: JsonValue;
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      space();
      if (text[i] === (c === '{' ? '}' : ']')) {
        i++;
        value = c === '{' ? new Map() : [];
      } else {
        if (stack.length >= MAX_JSON_DEPTH) return { problem: 'too deep' };
        if (c === '[') {
          stack.push({ array: [] });
          continue;
        }
        const key = string();
        space();
        if (key === undefined || text[i] !== ':') return { problem: 'not JSON' };
        i++;
        stack.push({ object: new Map(), key });
        continue;
      }
    } else if (c === '"') {
      const s = string();
      if (s === undefined) return { problem: 'not JSON' };
      value = s;
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      value = text[i] === 't' ? true : null;
      i += 4;
    } else if (text.startsWith('false', i)) {
      value = false;
      i += 5;
    } else {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      // Go reads numbers as float64 and refuses a body with one out of its range (1e400).
      if (!m || !Number.isFinite(Number(m[0]))) return { problem: 'not JSON' };
      value = new JsonNumber(m[0]);
      i += m[0].length;
    }
    // A value is complete: hand it to its container, closing containers that end here.
    for (;;) {
      const top = stack[stack.length - 1];
      space();
      if (!top) return i === n ? { value } : { problem: 'not JSON' };
      if ('array' in top) top.array.push(value);
      else top.object.set(top.key, value);
      if (text[i] === ',') {
        i++;
        if ('object' in top) {
          space();
          const key = string();
          space();
          if (key === undefined || text[i] !== ':') return { problem: 'not JSON' };
          i++;
          top.key = key;
        }
        break;
      }
      if (text[i] !== ('array' in top ? ']' : '}')) return { problem: 'not JSON' };
      i++;
      stack.pop();
      value = 'array' in top ? top.array : top.object;
    }
  }
}

/** One step of a body path: a field of an object or an element of an array. */
export type PathStep = { key: string } | { index: number };

/** The value at a path, reading own fields only; undefined when missing or null (Gatus: "INVALID"). */
export function lookup(root: JsonValue, path: PathStep[]): Exclude<JsonValue, null> | undefined {
  let cur: JsonValue | undefined = root;
  for (const step of path) {
    if ('key' in step) cur = cur instanceof Map ? cur.get(step.key) : undefined;
    else cur = Array.isArray(cur) ? cur[step.index] : undefined;
    if (cur === undefined || cur === null) return undefined;
  }
  return cur ?? undefined;
}

/** A number as compared: integers exactly as written, other numbers as Go prints the float64. */
export function numberText(n: JsonNumber): string {
  return /^-?\d+$/.test(n.text) ? n.text : formatGoFloat(Number(n.text));
}

/** Go's own string order for sorted map keys: by code point (UTF-8 bytes), not UTF-16 units. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let k = 0; k < Math.min(x.length, y.length); k++) {
    const d = x[k]!.codePointAt(0)! - y[k]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Go's %v of a decoded JSON value: [a b map[k:v] <nil>]. */
function goFormat(v: JsonValue): string {
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof JsonNumber) return numberText(v);
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  return `map[${[...v.keys()]
    .sort(byCodePoint)
    .map((k) => `${k}:${goFormat(v.get(k)!)}`)
    .join(' ')}]`;
}

/** encoding/json's escaping: HTML characters and U+2028/2029 as \u escapes. */
function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029)
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's json.Marshal of a decoded value: minified, keys sorted. */
function goJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'boolean') return String(v);
  // encoding/json prints floats as JavaScript does (exponent below 1e-6 and from 1e21).
  if (v instanceof JsonNumber) return /^-?\d+$/.test(v.text) ? v.text : String(Number(v.text));
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  return `{${[...v.keys()]
    .sort(byCodePoint)
    .map((k) => `${goJsonString(k)}:${goJson(v.get(k)!)}`)
    .join(',')}}`;
}

/**
 * The text Gatus compares for a value found at a path: a string as it is, a number or boolean as
 * printed, an array as %v, an object as minified JSON. Printing recurses: a value nested thousands
 * deep overflows the stack, and the caller says so.
 */
export function valueText(v: Exclude<JsonValue, null>): string {
  return v instanceof Map ? goJson(v) : goFormat(v);
}

/** len() of a found value: an array's elements (without printing it), otherwise the UTF-8 length of its text. */
export function valueLength(v: Exclude<JsonValue, null>): number {
  return Array.isArray(v) ? v.length : utf8Length(valueText(v));
}
