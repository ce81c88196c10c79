// Checking a parsed Gatus condition (conditions.ts) against what one HTTP check observed: each
// placeholder resolved from the response's facts, compared the way Gatus compares, and when the
// condition fails, which value the response had instead. Pure and workflow-safe.
import { lookup, parseJson, valueLength, valueText, type ParsedJson } from './gatus-json.js';
import { gatusNumber, goTrimSpace, parseGoInt, utf8Length } from './gatus-values.js';
import { compileRegex } from './regex.js';
import type { Condition, Operand, Placeholder, PlaceholderOperand, ResponseFacts } from './conditions.js';

/** Whether a condition reads a placeholder (the connector collects [CONNECTED] and [IP] facts on demand). */
export function conditionUses(c: Condition, p: Placeholder): boolean {
  return [c.left, c.right].some((o) => o.kind === 'placeholder' && o.placeholder === p);
}

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
