// How Gatus reads the text on either side of a condition, written out from its Go semantics
// (TwiN/gatus config/endpoint/condition.go, pattern/pattern.go): Go's integer syntax with base
// prefixes and underscores (strconv.ParseInt base 0), Go durations (time.ParseDuration), Go floats
// truncated to whole numbers, strings.TrimSpace, filepath.Match wildcards, and how Go prints a
// float64 (%v). pipewatch keeps integers exact (BigInt) where Go would overflow or round.
// Pure and workflow-safe.

/** strings.TrimSpace: Unicode White_Space at both ends (not JavaScript's trim, which also takes U+FEFF and leaves U+0085). */
const GO_SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

export function goTrimSpace(text: string): string {
  return text.replace(GO_SPACE, '');
}

/** Go's len() of a string: its length in UTF-8 bytes. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Underscores only between digits, or between a base prefix and a digit (Go's rule for number literals). */
function underscoresOk(text: string): boolean {
  let s = text;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  let saw: 'start' | 'digit' | 'underscore' | 'other' = 'start';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1]!.toLowerCase())) {
    i = 2;
    saw = 'digit';
    hex = s[1]!.toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) saw = 'digit';
    else if (c === '_') {
      if (saw !== 'digit') return false;
      saw = 'underscore';
    } else {
      if (saw === 'underscore') return false;
      saw = 'other';
    }
  }
  return saw !== 'underscore';
}

/**
 * strconv.ParseInt(text, 0, 64) without the 64-bit limit: "200", "-7", "+5", "0x1F", "0o17",
 * "0b101", "017" (octal, as Go reads it), "1_000". undefined when Go would not read an integer.
 */
export function parseGoInt(text: string): bigint | undefined {
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '') return undefined;
  let base = 10;
  if (s[0] === '0') {
    const p = s[1]?.toLowerCase();
    if (s.length >= 3 && (p === 'b' || p === 'o' || p === 'x')) {
      base = p === 'b' ? 2 : p === 'o' ? 8 : 16;
      s = s.slice(2);
    } else {
      base = 8;
      s = s.slice(1);
    }
  }
  let value = 0n;
  const big = BigInt(base);
  let underscores = false;
  for (const c of s) {
    if (c === '_') {
      underscores = true;
      continue;
    }
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    value = value * big + BigInt(d);
  }
  if (underscores && !underscoresOk(text)) return undefined;
  return negative ? -value : value;
}

/** An integer written with a leading zero ("010"): Go reads it as octal, which nobody writing a status or an id means. */
export function isLeadingZeroOctal(text: string): boolean {
  return /^[+-]?0[0-9_]+$/.test(text);
}

const GO_UNITS_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5
  μs: 1_000n, // U+03BC
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
/** pipewatch's extension for literals only: days and weeks, which Go's durations lack. */
const EXTENDED_UNITS_NS: Record<string, bigint> = { ...GO_UNITS_NS, d: 86_400_000_000_000n, w: 604_800_000_000_000n };
const INT64_MAX = 9_223_372_036_854_775_807n;

/**
 * time.ParseDuration(text).Milliseconds(): "1s" → 1000, "1.5h" → 5400000, "-2m", "250ms", "0".
 * With `days`, also "7d" and "2w" (pipewatch's extension; Go has no such units).
 */
export function parseGoDurationMs(text: string, options: { days?: boolean } = {}): bigint | undefined {
  const units = options.days ? EXTENDED_UNITS_NS : GO_UNITS_NS;
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const whole = m[1]!;
    const fraction = m[2];
    if (whole === '' && (fraction === undefined || fraction === '')) return undefined;
    s = s.slice(m[0].length);
    const unitText = /^[^\d.]*/.exec(s)![0];
    const unit = units[unitText];
    if (unitText === '' || unit === undefined) return undefined;
    s = s.slice(unitText.length);
    let ns = BigInt(whole || '0') * unit;
    if (fraction) ns += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    total += ns;
    if (total > INT64_MAX) return undefined;
  }
  const ms = total / 1_000_000n;
  return negative ? -ms : ms;
}

/** A decimal float as strconv.ParseFloat reads it (underscores as Go allows); Inf, NaN and hexadecimal floats are left out. */
function parseGoDecimalFloat(text: string): number | undefined {
  if (!/^[+-]?(?:[\d_]+(?:\.[\d_]*)?|\.[\d_]+)(?:[eE][+-]?[\d_]+)?$/.test(text)) return undefined;
  if (text.includes('_') && !underscoresOk(text)) return undefined;
  const n = Number(text.replace(/_/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A side of `<`, `<=`, `>`, `>=` as Gatus reads it: a non-zero duration in milliseconds, else an
 * integer, else a float truncated toward zero. undefined where Gatus would fall back to 0 (not a
 * number): pipewatch fails the condition and says so instead.
 */
export function gatusNumber(text: string, options: { days?: boolean } = {}): bigint | undefined {
  const ms = parseGoDurationMs(text, options);
  if (ms !== undefined && ms !== 0n) return ms;
  const int = parseGoInt(text);
  if (int !== undefined) return int;
  const f = parseGoDecimalFloat(text);
  return f === undefined ? undefined : BigInt(Math.trunc(f));
}

/** Whether text is a float with a fraction that Gatus would truncate ("1.5" is read as 1). */
export function isFractional(text: string): boolean {
  const f = parseGoDecimalFloat(text);
  return f !== undefined && parseGoInt(text) === undefined && !Number.isInteger(f);
}

/** fmt's %v of a float64: shortest digits, exponent form below 1e-4 or from 1e6 on ("1.234567e+06"). */
export function formatGoFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  return String(n);
}

/**
 * A Gatus `pat()` wildcard (Go's filepath.Match, with "/" removed from pattern and input as Gatus
 * does) as an anchored RE2 pattern for evaluation/regex.ts. `*` any run, `?` one character,
 * `[a-z]`, `[^…]`, `\x` a literal x. A malformed pattern (Go's ErrBadPattern, which Gatus reads as
 * "no match") gives a reason instead.
 */
export function globToRe2(pattern: string): { source: string } | { problem: string } {
  const chars = [...pattern.replace(/\//g, '')];
  const lit = (c: string) => `\\x{${c.codePointAt(0)!.toString(16)}}`;
  let out = '(?s)';
  let i = 0;
  // One character of a class, with its escape: "-" and "]" must be escaped (Go), as must a lone "\".
  const classChar = (): string | undefined => {
    const c = chars[i];
    if (c === undefined || c === '-' || c === ']') return undefined;
    if (c === '\\') {
      i++;
      if (chars[i] === undefined) return undefined;
    }
    return chars[i++];
  };
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '*') {
      out += '.*';
      i++;
    } else if (c === '?') {
      out += '.';
      i++;
    } else if (c === '\\') {
      if (i + 1 >= chars.length) return { problem: 'it ends with a lone \\' };
      out += lit(chars[i + 1]!);
      i += 2;
    } else if (c === '[') {
      i++;
      const negated = chars[i] === '^';
      if (negated) i++;
      const ranges: string[] = [];
      let count = 0;
      for (;;) {
        if (chars[i] === ']' && count > 0) {
          i++;
          break;
        }
        const lo = classChar();
        if (lo === undefined)
          return {
            problem:
              chars[i] === undefined
                ? 'a [ is not closed'
                : `"${chars[i]}" must be escaped inside [ ] (write \\${chars[i]})`,
          };
        let hi = lo;
        if (chars[i] === '-') {
          i++;
          const h = classChar();
          if (h === undefined) return { problem: 'a range in [ ] has no end' };
          hi = h;
        }
        count++;
        // Go matches nothing for a reversed range (z-a) rather than refusing it.
        if (lo.codePointAt(0)! <= hi.codePointAt(0)!) ranges.push(lo === hi ? lit(lo) : `${lit(lo)}-${lit(hi)}`);
      }
      if (ranges.length === 0) out += negated ? '[\\x{0}-\\x{10ffff}]' : '[^\\x{0}-\\x{10ffff}]';
      else out += `[${negated ? '^' : ''}${ranges.join('')}]`;
    } else {
      out += lit(c);
      i++;
    }
  }
  return { source: out };
}
