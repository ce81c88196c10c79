// How values and query words are compared, as Elasticsearch compares them on
// the mapping in ./mapping.ts: the standard analyzer for text fields (Unicode
// word boundaries, UAX #29, then lowercase; no stop words; tokens at most 255
// characters), wildcard patterns (`*` any run, `?` one character, `\` escapes),
// and dates in `strict_date_optional_time||epoch_millis` with the range query's
// rule for missing date parts. Pure: Intl.Segmenter is ECMAScript, not Node.

const segmenter = new Intl.Segmenter('en', { granularity: 'word' });
// Lucene's StandardTokenizer emits each ideograph and hiragana character as a
// token of its own, where ICU's word segmentation would use a dictionary.
const SINGLE_CHARACTER_TOKENS = /[\p{Script=Han}\p{Script=Hiragana}]/u;
const MAX_TOKEN_LENGTH = 255;

/** Lowercase one code point at a time, as Lucene's LowerCaseFilter (Character.toLowerCase) does. */
export function lowercase(text: string): string {
  let out = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    out += lower.length === ch.length ? lower : String.fromCodePoint(lower.codePointAt(0)!);
  }
  return out;
}

/** The standard analyzer's tokens of a text. */
export function analyze(text: string): string[] {
  const tokens: string[] = [];
  for (const s of segmenter.segment(text)) {
    if (!s.isWordLike) continue;
    if (SINGLE_CHARACTER_TOKENS.test(s.segment)) {
      // A run mixing ideographs with other letters: ideographs alone, the rest as runs.
      let run = '';
      for (const ch of s.segment) {
        if (SINGLE_CHARACTER_TOKENS.test(ch)) {
          if (run) tokens.push(run);
          run = '';
          tokens.push(ch);
        } else run += ch;
      }
      if (run) tokens.push(run);
    } else tokens.push(s.segment);
  }
  return tokens.flatMap((t) => (t.length <= MAX_TOKEN_LENGTH ? [t] : chunks(t))).map(lowercase);
}

function chunks(t: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length; i += MAX_TOKEN_LENGTH) out.push(t.slice(i, i + MAX_TOKEN_LENGTH));
  return out;
}

type Glob = Array<{ any: true } | { one: true } | { cp: string }>;

/** A Lucene wildcard pattern: `*`, `?`, and `\x` for a literal x. */
export function parseWildcard(pattern: string): Glob {
  const out: Glob = [];
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) out.push({ cp: chars[++i]! });
    else if (c === '*') out.push({ any: true });
    else if (c === '?') out.push({ one: true });
    else out.push({ cp: c });
  }
  return out;
}

/** Whether the whole of `value` matches the pattern; O(n·m) at worst, no backtracking blow-up. */
export function wildcardMatches(glob: Glob, value: string): boolean {
  const v = [...value];
  let p = 0;
  let i = 0;
  let star = -1;
  let mark = 0;
  while (i < v.length) {
    const g = glob[p];
    if (g && ('one' in g || ('cp' in g && g.cp === v[i]))) {
      p++;
      i++;
    } else if (g && 'any' in g) {
      star = p++;
      mark = i;
    } else if (star >= 0) {
      p = star + 1;
      i = ++mark;
    } else return false;
  }
  while (p < glob.length && 'any' in glob[p]!) p++;
  return p === glob.length;
}

/** Code point order, which is the order of UTF-8 bytes Lucene compares terms in. */
export function compareTerms(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A number as a numeric field parses it; undefined when it is not one. */
export function parseNumber(text: string): number | undefined {
  return NUMBER.test(text.trim()) ? Number(text.trim()) : undefined;
}

const ISO =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;

/**
 * Milliseconds since the epoch of a date as a `date` field parses it
 * (strict_date_optional_time, else epoch_millis). Missing parts are filled as
 * Elasticsearch's range query documents ("Missing date components"): month
 * and day 01; hour, minute, second and fraction 00 — or, when rounding up
 * (the upper end of an inclusive range, the lower end of an exclusive one),
 * 23:59:59.999. A zone-less time is UTC. undefined when it is not a date.
 */
export function parseDate(text: string, roundUp: boolean): number | undefined {
  const m = ISO.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s, f, zone] = m;
    const up = roundUp;
    const t = Date.UTC(
      Number(y),
      Number(mo ?? '01') - 1,
      Number(d ?? '01'),
      h !== undefined ? Number(h) : up ? 23 : 0,
      mi !== undefined ? Number(mi) : up ? 59 : 0,
      s !== undefined ? Number(s) : up ? 59 : 0,
      f !== undefined ? Number(f.padEnd(3, '0').slice(0, 3)) : up ? 999 : 0,
    );
    if (Number.isNaN(t)) return undefined;
    if (!zone || zone === 'Z') return t;
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    const offset = (Number(z[2]) * 60 + Number(z[3] ?? '0')) * 60_000;
    return z[1] === '+' ? t - offset : t + offset;
  }
  if (/^-?\d+$/.test(text)) return Number(text);
  return undefined;
}

/** A date value as stored: an ISO string or epoch milliseconds. */
export function dateValue(value: string | number | boolean): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return undefined;
  const t = parseDate(value, false);
  return t ?? (Number.isNaN(Date.parse(value)) ? undefined : Date.parse(value));
}
