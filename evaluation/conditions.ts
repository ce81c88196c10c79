// Conditions on an HTTP response, in Gatus' language (TwiN/gatus config/endpoint/condition.go and
// placeholder.go, ported case by case in test/unit/gatus-conditions.test.ts):
//   [STATUS] == 200       [STATUS] == any(200, 429)      [RESPONSE_TIME] < 1s     [CONNECTED] == true
//   [BODY].status == UP   [BODY].items[0].id > 3         len([BODY].items) > 0    has([BODY].errors) == false
//   [BODY].name == pat(john*)    [IP] == pat(10.*)       [CERTIFICATE_EXPIRATION] > 48h
// and pipewatch's own: [HEADER].<name>, [DNS_TIME] (ms), `=~` / `!~` with an RE2 expression, days
// and weeks in durations. Every condition is parsed and type-checked at load (parseCondition):
// what Gatus would read in a way that never or always holds, or that pipewatch cannot observe, is
// refused with what to write instead. checkCondition says which value made a condition fail.
// Pure and workflow-safe.
import { lookup, parseJson, valueLength, valueText, type ParsedJson, type PathStep } from './gatus-json.js';
import {
  gatusNumber,
  globToRe2,
  goTrimSpace,
  isFractional,
  isLeadingZeroOctal,
  parseGoDurationMs,
  parseGoInt,
  utf8Length,
} from './gatus-values.js';
import { compileRegex, regexProblem } from './regex.js';

export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~' | '!~';

export type Placeholder =
  'STATUS' | 'RESPONSE_TIME' | 'BODY' | 'HEADER' | 'CERTIFICATE_EXPIRATION' | 'DNS_TIME' | 'CONNECTED' | 'IP';

export interface PlaceholderOperand {
  kind: 'placeholder';
  /** As written, e.g. len([BODY].items). */
  text: string;
  placeholder: Placeholder;
  /** Path into the JSON body ([BODY] only). */
  path: PathStep[];
  /** Lower-cased header name ([HEADER] only). */
  header?: string;
  fn?: 'len' | 'has';
}

export type Operand =
  | PlaceholderOperand
  /** A value as written; `number` is what it means next to <, <=, >, >=. */
  | { kind: 'literal'; text: string; number?: bigint }
  | { kind: 'any'; text: string; options: string[] }
  /** A pat() wildcard as an anchored RE2 pattern. */
  | { kind: 'pat'; text: string; regex: string }
  | { kind: 'regex'; text: string; regex: string };

export interface Condition {
  text: string;
  left: Operand;
  op: Operator;
  right: Operand;
}

export interface ResponseFacts {
  status: number;
  responseTimeMs: number;
  body: string;
  headers: Record<string, string>;
  certificateExpiresInMs?: number;
  dnsTimeMs?: number;
  /** Only the start of a larger body was read (the connector's limit), so it is not parsed as JSON. */
  bodyTruncated?: boolean;
  /** false when no HTTP answer came (refused, unreachable, DNS, TLS, no response in time): [CONNECTED]. Default true. */
  connected?: boolean;
  /** Why no answer came, told with any condition that then fails. */
  connectionError?: string;
  /** The address the request went to: [IP]. */
  ip?: string;
}

// Gatus looks for these in this order, each with a space on both sides; the first found splits the condition.
const GATUS_OPERATORS = ['==', '!=', '<=', '>=', '>', '<'] as const;
const REGEX_OPERATORS = ['=~', '!~'] as const;

const SUPPORTED: Record<Placeholder, string> = {
  STATUS: 'the HTTP status',
  RESPONSE_TIME: 'the response time in ms',
  BODY: 'the body, or a field of it',
  HEADER: 'a response header',
  CERTIFICATE_EXPIRATION: 'the time until the certificate expires, in ms',
  DNS_TIME: 'the DNS lookup time in ms',
  CONNECTED: 'whether an HTTP answer came',
  IP: 'the address connected to',
};
const REFUSED: Record<string, string> = {
  DOMAIN_EXPIRATION:
    '[DOMAIN_EXPIRATION] needs a WHOIS lookup, which pipewatch does not make; watch the certificate instead, e.g. "[CERTIFICATE_EXPIRATION] > 720h", and the domain at your registrar',
  DNS_RCODE:
    '[DNS_RCODE] belongs to Gatus DNS endpoints; an http check resolves its host itself (a name that does not resolve is a "could not check" error, or [CONNECTED] == false)',
  CONTEXT: '[CONTEXT] belongs to Gatus suites, which pipewatch does not have; write the value itself',
};
const ANY_PLACEHOLDER =
  /\[(STATUS|RESPONSE_TIME|BODY|HEADER|CERTIFICATE_EXPIRATION|DNS_TIME|CONNECTED|IP|DOMAIN_EXPIRATION|DNS_RCODE|CONTEXT)\]/i;
const FORM =
  'write "<placeholder> <operator> <value>" with a space on each side of the operator (==, !=, <, <=, >, >=), e.g. "[STATUS] == 200", "[BODY].status == UP" or "len([BODY].items) > 0"';

type Kind = 'number' | 'time' | 'bool' | 'text' | 'value';

const INT64_MAX = 9_223_372_036_854_775_807n;

function kindOf(o: PlaceholderOperand): Kind {
  if (o.fn === 'len') return 'number';
  if (o.fn === 'has') return 'bool';
  switch (o.placeholder) {
    case 'STATUS':
      return 'number';
    case 'RESPONSE_TIME':
    case 'CERTIFICATE_EXPIRATION':
    case 'DNS_TIME':
      return 'time';
    case 'CONNECTED':
      return 'bool';
    case 'IP':
      return 'text';
    default:
      return 'value';
  }
}

/** A body path as Gatus splits it: fields by ".", indexes in brackets ("items[0].id", "[0]", "a[1][2]"). */
function bodyPath(rest: string): PathStep[] | string {
  if (rest === '') return [];
  if (!rest.startsWith('.') && !rest.startsWith('[')) return `write a field after a dot, like [BODY].status`;
  const path = rest.startsWith('.') ? rest.slice(1) : rest;
  const keys: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    if (path[i] === '[') depth++;
    else if (path[i] === ']') depth--;
    else if (path[i] === '.' && depth === 0) {
      keys.push(path.slice(start, i));
      start = i + 1;
    }
  }
  keys.push(path.slice(start));
  const steps: PathStep[] = [];
  for (const key of keys) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(key);
    if (!m || (m[1] === '' && m[2] === ''))
      return `"${key}" is not a field or an index; write fields after dots and indexes in brackets, like [BODY].items[0].id`;
    if (m[1] !== '') steps.push({ key: m[1]! });
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) {
      const index = Number(idx[1]);
      if (!Number.isSafeInteger(index)) return `the index [${idx[1]}] is too large`;
      steps.push({ index });
    }
  }
  return steps;
}

/** A placeholder with its path, or undefined when the text is not one (Gatus then reads it as a plain value). */
function placeholder(text: string): PlaceholderOperand | string | undefined {
  const m = /^\[([A-Za-z_]+)\]([\s\S]*)$/.exec(text);
  if (!m) return undefined;
  const name = m[1]!.toUpperCase();
  const rest = m[2]!;
  if (REFUSED[name]) return REFUSED[name];
  if (!(name in SUPPORTED))
    return `unknown placeholder [${m[1]}]; use one of ${Object.keys(SUPPORTED)
      .map((p) => `[${p}]`)
      .join(', ')}`;
  const p = name as Placeholder;
  if (p === 'BODY') {
    const path = bodyPath(rest);
    return typeof path === 'string' ? path : { kind: 'placeholder', text, placeholder: p, path };
  }
  if (p === 'HEADER') {
    const h = /^\.([!#$%&'*+\-.^_`|~0-9A-Za-z]+)$/.exec(rest);
    return h
      ? { kind: 'placeholder', text, placeholder: p, path: [], header: h[1]!.toLowerCase() }
      : 'name one header, like [HEADER].x-api-version';
  }
  if (rest !== '') return `[${p}] has no fields; write [${p}] alone`;
  return { kind: 'placeholder', text, placeholder: p, path: [] };
}

const isQuoted = (s: string) => s.length >= 2 && s.startsWith('"') && s.endsWith('"');
const QUOTED = (s: string) =>
  `Gatus compares ${s} with its quotes; write the value without them (${s.slice(1, -1) === '' ? 'for an empty value, len(...) == 0' : s.slice(1, -1)})`;

function operand(raw: string): Operand | string {
  const text = goTrimSpace(raw);
  if (text === '')
    return 'a side of the condition is empty; for an empty value write len([BODY].field) == 0, for a missing one has([BODY].field) == false';
  for (const fn of ['len', 'has'] as const) {
    if (text.startsWith(`${fn}(`) && text.endsWith(')')) {
      const inner = placeholder(goTrimSpace(text.slice(fn.length + 1, -1)));
      if (inner === undefined || typeof inner === 'string')
        return `${fn}() takes one placeholder, like ${fn}([BODY].items)${inner ? `: ${inner}` : ''}`;
      if (!['BODY', 'HEADER', 'IP'].includes(inner.placeholder)) {
        return `${fn}(${inner.text}) is ${fn === 'has' ? 'always true' : 'the number of characters of its digits'}; ${fn}() is for [BODY], [BODY].<field>, [HEADER].<name> and [IP]`;
      }
      return { ...inner, text, fn };
    }
  }
  if ((text.startsWith('any(') || text.startsWith('pat(')) && text.endsWith(')')) {
    const inner = text.slice(4, -1);
    if (ANY_PLACEHOLDER.test(inner))
      return `${text.slice(0, 3)}() holds values as written; Gatus does not read placeholders inside it`;
    if (text.startsWith('any(')) {
      const options = inner.split(',').map(goTrimSpace);
      if (options.some((o) => o === ''))
        return `${text} has an empty value; list values separated by commas, like any(200, 429)`;
      const quoted = options.find(isQuoted);
      if (quoted) return QUOTED(quoted);
      return { kind: 'any', text, options };
    }
    const glob = globToRe2(inner);
    if ('problem' in glob) return `${text} is not a valid pattern: ${glob.problem}`;
    return { kind: 'pat', text, regex: glob.source };
  }
  const second = [...GATUS_OPERATORS, ...REGEX_OPERATORS, '||', '&&'].find((o) => text.includes(` ${o} `));
  if (second) {
    const advice =
      second === '||' || second === '&&'
        ? 'Gatus has no || or &&: every condition must hold, and one of several values is any(…), like [STATUS] == any(200, 429)'
        : 'write each comparison as its own condition';
    return `"${text}" holds a second operator (${second}); a condition is one comparison. ${advice}`;
  }
  const p = placeholder(text);
  if (p !== undefined) return p;
  if (ANY_PLACEHOLDER.test(text)) {
    const joined = /\|\||&&/.test(text)
      ? 'Gatus has no || or &&: every condition must hold, and one of several values is any(…), like [STATUS] == any(200, 429)'
      : 'write each comparison as its own condition';
    return `"${text}" mixes a placeholder with other text; a side is one placeholder, one function or one value. ${joined}`;
  }
  if (isQuoted(text)) return QUOTED(text);
  return { kind: 'literal', text };
}

/** The kinds a side may be compared with, checked once at load. */
function typeCheck(c: Condition): string | undefined {
  const { left, right, op } = c;
  const ordering = op === '<' || op === '<=' || op === '>' || op === '>=';
  if (left.kind !== 'placeholder' && right.kind !== 'placeholder') {
    return 'compares two fixed values, so it always holds or never does; compare a placeholder, like [STATUS] == 200';
  }
  for (const [side, other] of [
    [left, right],
    [right, left],
  ] as const) {
    if (other.kind !== 'placeholder') continue;
    const kind = kindOf(other);
    if (ordering) {
      if (kind === 'bool') return `${other.text} is true or false; write ${other.text} == true or == false`;
      if (kind === 'text') return `${other.text} is not a number; compare it with == or pat(), like [IP] == pat(10.*)`;
      if (side.kind === 'any' || side.kind === 'pat') return `${side.text} works with == and != only`;
      if (side.kind === 'literal') {
        const number = gatusNumber(side.text, { days: kind === 'time' });
        if (number === undefined) {
          return `${side.text} is not a number${kind === 'time' || kind === 'value' ? ' or a duration' : ''} (Gatus would read it as 0); write a whole number${kind === 'time' ? ' of ms or a duration such as 500ms, 1s or 48h' : ''}`;
        }
        if (isFractional(side.text))
          return `Gatus compares whole numbers and would read ${side.text} as ${number}; write a whole number${kind === 'time' ? ' or a duration such as 1500ms' : ''}`;
        if (isLeadingZeroOctal(side.text))
          return `Gatus reads ${side.text} as the octal number ${number}; write it without the leading zero`;
        if (number > INT64_MAX || number < -INT64_MAX - 1n)
          return `Gatus reads ${side.text}, beyond 64 bits, as -9223372036854775808; write a smaller number`;
        if (kind === 'number' && parseGoInt(side.text) === undefined && parseGoDurationMs(side.text) !== undefined) {
          return `${other.text} is a count, not a time; write a whole number instead of ${side.text}`;
        }
        side.number = number;
      }
    } else if (side.kind === 'literal') {
      if (kind === 'number' || kind === 'time') {
        if (parseGoInt(side.text) === undefined) {
          const duration = kind === 'time' && parseGoDurationMs(side.text, { days: true }) !== undefined;
          return duration
            ? `== and != compare whole numbers of ms, so ${other.text} ${op} ${side.text} is ${op === '==' ? 'never' : 'always'} true; write ${other.text} < ${side.text} or > ${side.text}, or a number of ms`
            : `${other.text} is a number, so it can never equal ${side.text}; write a whole number, like ${other.placeholder === 'STATUS' && !other.fn ? '[STATUS] == 200' : `${other.text} == 0`}`;
        }
      }
      if (kind === 'bool' && side.text !== 'true' && side.text !== 'false')
        return `${other.text} is true or false; write ${other.text} ${op} true or ${op} false`;
      if (isLeadingZeroOctal(side.text))
        return `Gatus reads ${side.text} as the octal number ${parseGoInt(side.text)}; write the number without the leading zero, or compare the text with pat(${side.text})`;
    } else if (side.kind === 'any') {
      const canonical =
        kind === 'number' || kind === 'time' ? /^-?(0|[1-9]\d*)$/ : kind === 'bool' ? /^(true|false)$/ : undefined;
      const never = canonical && side.options.find((o) => !canonical.test(o));
      if (never)
        return `any() compares text exactly and ${other.text} is written like ${kind === 'bool' ? 'true' : '200'}, so "${never}" can never match; write it that way`;
    } else if (side.kind === 'placeholder' && !ordering) {
      const k = kindOf(side);
      if ((k === 'bool') !== (kind === 'bool') && k !== 'value' && kind !== 'value')
        return `${side.text} and ${other.text} can never be equal (true/false against a number or text)`;
    }
  }
  return undefined;
}

export function parseCondition(text: string): Condition | string {
  const op = [...GATUS_OPERATORS, ...REGEX_OPERATORS].find((o) => text.includes(` ${o} `));
  if (!op) {
    const squeezed = /(===?|!==?|<=|>=|=~|!~|[<>])/.exec(text);
    const why = squeezed ? `${FORM} (Gatus needs the spaces and knows no ===, >== or =<)` : FORM;
    return `"${text}" is not a condition; ${why}`;
  }
  const refuse = (why: string) => `"${text}": ${why}`;
  const parts = text.split(` ${op} `);
  if (parts.length > 2) {
    return refuse(
      `${op} appears more than once, and Gatus would compare "${goTrimSpace(parts[0]!)}" with "${goTrimSpace(parts[1]!)}" only; a condition is one comparison and all conditions must hold (for one of several values write [STATUS] == any(200, 429))`,
    );
  }
  const left = operand(parts[0]!);
  if (typeof left === 'string') return refuse(left);
  let right: Operand | string;
  if (op === '=~' || op === '!~') {
    if (left.kind !== 'placeholder') return refuse(`the left of ${op} is a placeholder, like [BODY] ${op} "ok"`);
    let source = goTrimSpace(parts[1]!);
    if (isQuoted(source)) source = source.slice(1, -1);
    const problem = regexProblem(source);
    if (problem !== undefined) return refuse(`the regular expression does not compile under RE2 (${problem})`);
    right = { kind: 'regex', text: parts[1]!, regex: source };
  } else right = operand(parts[1]!);
  if (typeof right === 'string') return refuse(right);
  const condition: Condition = { text, left, op, right };
  const problem = typeCheck(condition);
  return problem === undefined ? condition : refuse(problem);
}

/** Whether a condition reads a placeholder (the connector collects [CONNECTED] and [IP] facts on demand). */
export function conditionUses(c: Condition, p: Placeholder): boolean {
  return [c.left, c.right].some((o) => o.kind === 'placeholder' && o.placeholder === p);
}

// ---------------------------------------------------------------- evaluation

type Resolved = { text: string } | { problem: string };

const parsedBodies = new WeakMap<ResponseFacts, ParsedJson>();
function bodyJson(facts: ResponseFacts): ParsedJson {
  let parsed = parsedBodies.get(facts);
  if (!parsed) parsedBodies.set(facts, (parsed = parseJson(facts.body)));
  return parsed;
}

function applyFn(o: PlaceholderOperand, text: string): Resolved {
  if (o.fn === 'len') return { text: String(utf8Length(text)) };
  if (o.fn === 'has') return { text: String(text !== '') };
  return { text };
}

function resolveBody(o: PlaceholderOperand, facts: ResponseFacts): Resolved {
  if (facts.bodyTruncated) {
    return {
      problem: o.path.length
        ? 'the body is larger than the limit, so it was not read as JSON'
        : 'the body is larger than the limit, so it was not compared whole',
    };
  }
  if (o.path.length === 0) {
    const trimmed = goTrimSpace(facts.body);
    if (o.fn === 'has') return { text: String(trimmed !== '') };
    if (o.fn === 'len') {
      // Gatus counts the elements of a body that is a JSON array, else the bytes of the body as received.
      if (facts.body.startsWith('[') && facts.body.endsWith(']')) {
        const parsed = bodyJson(facts);
        return {
          text: String('value' in parsed && Array.isArray(parsed.value) ? parsed.value.length : utf8Length(trimmed)),
        };
      }
      return { text: String(utf8Length(facts.body)) };
    }
    return { text: trimmed };
  }
  const parsed = bodyJson(facts);
  const found = 'value' in parsed ? lookup(parsed.value, o.path) : undefined;
  if (o.fn === 'has') return { text: String(found !== undefined) };
  if ('problem' in parsed)
    return {
      problem: parsed.problem === 'too deep' ? 'got a value nested too deeply to compare' : 'the body is not JSON',
    };
  const ref = o.fn ? o.text.slice(4, -1) : o.text;
  if (found === undefined) return { problem: `${ref} is not in the body (missing or null)` };
  try {
    return { text: o.fn === 'len' ? String(valueLength(found)) : valueText(found) };
  } catch {
    // Printing recurses: a value nested thousands deep overflows the stack.
    return { problem: 'got a value nested too deeply to compare' };
  }
}

function resolve(o: PlaceholderOperand, facts: ResponseFacts): Resolved {
  switch (o.placeholder) {
    case 'STATUS':
      return applyFn(o, String(facts.status));
    case 'RESPONSE_TIME':
      return applyFn(o, String(Math.trunc(facts.responseTimeMs)));
    case 'DNS_TIME':
      return facts.dnsTimeMs === undefined
        ? { problem: 'no DNS lookup was made (the host is an IP address or localhost)' }
        : applyFn(o, String(Math.trunc(facts.dnsTimeMs)));
    case 'CERTIFICATE_EXPIRATION':
      // Gatus: 0 without a certificate (a plain http URL).
      return applyFn(o, String(Math.trunc(facts.certificateExpiresInMs ?? 0)));
    case 'CONNECTED':
      return applyFn(o, String(facts.connected !== false));
    case 'IP':
      return applyFn(o, facts.ip ?? '');
    case 'HEADER': {
      const value = facts.headers[o.header!];
      if (o.fn === 'has') return { text: String(value !== undefined) };
      return value === undefined ? { problem: `the response has no ${o.header} header` } : applyFn(o, value);
    }
    case 'BODY':
      return resolveBody(o, facts);
  }
}

function show(text: string): string {
  if (text === '') return 'an empty value';
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Gatus' equality: pat() and any() on either side; integers (any Go syntax) by value; otherwise text. */
function equal(left: Operand, l: string, right: Operand, r: string): boolean {
  for (const [fn, value] of [
    [left, r],
    [right, l],
  ] as const) {
    if (fn.kind === 'any') return fn.options.includes(value);
    if (fn.kind === 'pat') return compileRegex(fn.regex, { anchored: true }).test(value.replace(/\//g, ''));
  }
  const a = parseGoInt(l);
  const b = parseGoInt(r);
  return a !== undefined && b !== undefined ? a === b : l === r;
}

/** undefined when the condition holds; otherwise what the response had instead. */
export function checkCondition(c: Condition, facts: ResponseFacts): string | undefined {
  const noAnswer = (reason: string) =>
    facts.connected === false ? `${reason} (no answer: ${facts.connectionError ?? 'not connected'})` : reason;
  const texts: string[] = [];
  const resolved: Record<'left' | 'right', string> = { left: '', right: '' };
  for (const side of ['left', 'right'] as const) {
    const o = c[side];
    if (o.kind !== 'placeholder') {
      resolved[side] = o.text;
      continue;
    }
    const r = resolve(o, facts);
    if ('problem' in r) return noAnswer(r.problem);
    resolved[side] = r.text;
    texts.push(r.text);
  }
  const { left: l, right: r } = resolved;
  let holds: boolean;
  switch (c.op) {
    case '=~':
    case '!~':
      holds = compileRegex((c.right as { regex: string }).regex).test(l) === (c.op === '=~');
      break;
    case '==':
    case '!=':
      holds = equal(c.left, l, c.right, r) === (c.op === '==');
      break;
    default: {
      const a = c.left.kind === 'literal' ? c.left.number : gatusNumber(l);
      const b = c.right.kind === 'literal' ? c.right.number : gatusNumber(r);
      // Gatus reads what is not a number as 0; pipewatch says so instead of comparing 0.
      const notNumber = a === undefined ? l : b === undefined ? r : undefined;
      if (a === undefined || b === undefined) return noAnswer(`got ${show(notNumber!)}, which is not a number`);
      holds = c.op === '<' ? a < b : c.op === '<=' ? a <= b : c.op === '>' ? a > b : a >= b;
    }
  }
  if (holds) return undefined;
  if (conditionUses(c, 'CERTIFICATE_EXPIRATION') && !c.left.text.startsWith('len(')) {
    if (facts.certificateExpiresInMs === undefined) return noAnswer('no TLS certificate (not an https URL)');
    return `the certificate expires in ${Math.max(0, Math.round(facts.certificateExpiresInMs / 3_600_000))}h`;
  }
  return noAnswer(`got ${texts.map(show).join(' and ')}`);
}

// ------------------------------------------------------------- API shapes

/**
 * Past these, a shape says so instead of going on: a hostile body must not make
 * the shape (kept in history and in the store) or the stack grow without bound.
 */
export const SHAPE_LIMITS = { depth: 64, paths: 2_000 };

/** The shape of a JSON value: every path with its type; array elements share "[]". */
export function jsonShape(value: unknown, path = '$', out: Record<string, string> = {}): Record<string, string> {
  let paths = Object.keys(out).length;
  const note = (p: string, type: string) => {
    if (!(p in out)) {
      if (paths >= SHAPE_LIMITS.paths) {
        out['…'] = `more than ${SHAPE_LIMITS.paths} paths; the rest are not described`;
        return false;
      }
      paths++;
    }
    out[p] = type;
    return true;
  };
  const walk = (v: unknown, p: string, depth: number): void => {
    if (v !== null && typeof v === 'object' && depth >= SHAPE_LIMITS.depth) {
      note(p, `nested deeper than ${SHAPE_LIMITS.depth} levels`);
    } else if (Array.isArray(v)) {
      if (!note(p, 'array')) return;
      for (const item of v) walk(item, `${p}[]`, depth + 1);
    } else if (v !== null && typeof v === 'object') {
      if (!note(p, 'object')) return;
      for (const [k, child] of Object.entries(v)) walk(child, `${p}.${k}`, depth + 1);
    } else {
      const type = v === null ? 'null' : typeof v;
      // An array can hold several types at one path: keep them all, sorted.
      note(p, out[p] && out[p] !== type ? [...new Set([...out[p]!.split('|'), type])].sort().join('|') : type);
    }
  };
  walk(value, path, 0);
  return out;
}

/** A readable diff of two shapes: "+ $.data[].owner: string", "- $.count: number", "~ $.id: number → string". */
export function shapeDiff(accepted: Record<string, string>, latest: Record<string, string>): string[] {
  const lines: string[] = [];
  for (const [path, type] of Object.entries(latest)) {
    if (!(path in accepted)) lines.push(`+ ${path}: ${type}`);
    else if (accepted[path] !== type) lines.push(`~ ${path}: ${accepted[path]} → ${type}`);
  }
  for (const [path, type] of Object.entries(accepted)) if (!(path in latest)) lines.push(`- ${path}: ${type}`);
  return lines.sort((a, b) => a.slice(2).localeCompare(b.slice(2)));
}
