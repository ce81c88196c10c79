// Conditions on an HTTP response, in Gatus' language (TwiN/gatus config/endpoint/condition.go and
// placeholder.go, ported case by case in test/unit/gatus-conditions.test.ts):
//   [STATUS] == 200       [STATUS] == any(200, 429)      [RESPONSE_TIME] < 1s     [CONNECTED] == true
//   [BODY].status == UP   [BODY].items[0].id > 3         len([BODY].items) > 0    has([BODY].errors) == false
//   [BODY].name == pat(john*)    [IP] == pat(10.*)       [CERTIFICATE_EXPIRATION] > 48h
// and pipewatch's own: [HEADER].<name>, [DNS_TIME] (ms), `=~` / `!~` with an RE2 expression, days
// and weeks in durations. Every condition is parsed and type-checked at load (parseCondition):
// what Gatus would read in a way that never or always holds, or that pipewatch cannot observe, is
// refused with what to write instead. checkCondition (condition-check.ts) says which value made a
// condition fail. Pure and workflow-safe.
import type { PathStep } from './gatus-json.js';
import {
  gatusNumber,
  globToRe2,
  goTrimSpace,
  isFractional,
  isLeadingZeroOctal,
  parseGoDurationMs,
  parseGoInt,
} from './gatus-values.js';
import { regexProblem } from './regex.js';

export { checkCondition, conditionUses } from './condition-check.js';
// The API shapes lived here once; the http connector and the CLI still import them from this path.
export { jsonShape, SHAPE_LIMITS, shapeDiff } from './api-shape.js';

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
  // Gatus reads a function it cannot find the end of as plain text, so `len([BODY].users == 100` never holds.
  const unclosed = /^(len|has|any|pat)\(/.exec(text);
  if (unclosed && !text.includes(')')) {
    return `"${text}" opens ${unclosed[1]}( without closing it (Gatus would compare the text as written); write ${text})`;
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
