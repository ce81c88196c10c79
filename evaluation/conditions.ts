// Conditions on an HTTP response, written the way Gatus users write them:
//   [STATUS] == 200            [RESPONSE_TIME] < 500 (ms)      [BODY].status == UP
//   [BODY].items[0].id > 3     [BODY] =~ "healthy"             [HEADER].x-api-version == 2
//   [CERTIFICATE_EXPIRATION] > 7d                               [DNS_TIME] < 100 (ms)
// Each result says which condition failed and what the response had. Pure.
import { parseDuration } from '../config/duration.js';

export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~' | '!~';

export interface Condition {
  text: string;
  subject: 'STATUS' | 'RESPONSE_TIME' | 'BODY' | 'HEADER' | 'CERTIFICATE_EXPIRATION' | 'DNS_TIME';
  /** Path into the JSON body, or the header name. */
  path: Array<string | number>;
  op: Operator;
  expected: string;
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
}

const SUBJECTS = ['STATUS', 'RESPONSE_TIME', 'BODY', 'HEADER', 'CERTIFICATE_EXPIRATION', 'DNS_TIME'] as const;
const FORM = /^\s*\[([A-Z_]+)\]((?:\.[A-Za-z0-9_@$-]+|\[\d+\])*)\s*(==|!=|<=|>=|<|>|=~|!~)\s*(.+?)\s*$/;

export function parseCondition(text: string): Condition | string {
  const m = FORM.exec(text);
  const hint = 'write it like "[STATUS] == 200", "[RESPONSE_TIME] < 500", "[BODY].status == UP" or "[CERTIFICATE_EXPIRATION] > 7d"';
  if (!m) return `"${text}" is not a condition; ${hint}`;
  const subject = m[1] as Condition['subject'];
  if (!SUBJECTS.includes(subject)) return `"${text}": unknown placeholder [${m[1]}]; use one of ${SUBJECTS.map((s) => `[${s}]`).join(', ')}`;
  const path = [...m[2]!.matchAll(/\.([A-Za-z0-9_@$-]+)|\[(\d+)\]/g)].map((p) => (p[2] !== undefined ? Number(p[2]) : p[1]!));
  if (subject === 'HEADER' && path.length !== 1) return `"${text}": name one header, like [HEADER].x-api-version`;
  if (subject !== 'BODY' && subject !== 'HEADER' && path.length > 0) return `"${text}": [${subject}] has no fields`;
  let expected = m[4]!;
  if (/^".*"$/.test(expected)) expected = expected.slice(1, -1);
  const op = m[3] as Operator;
  if (op === '=~' || op === '!~') {
    try {
      new RegExp(expected);
    } catch (err) {
      return `"${text}": the regular expression does not compile (${(err as Error).message})`;
    }
  }
  if (subject === 'CERTIFICATE_EXPIRATION' && parseDuration(expected) === undefined) return `"${text}": compare [CERTIFICATE_EXPIRATION] with a duration such as 7d`;
  return { text, subject, path, op, expected };
}

function lookup(value: unknown, path: Array<string | number>): unknown {
  let cur = value;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  let text: string;
  try {
    text = typeof v === 'string' ? v : JSON.stringify(v);
  } catch {
    // JSON.stringify recurses: a value nested thousands deep overflows the stack.
    return 'a value nested too deeply to show';
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** undefined when the condition holds; otherwise what the response had instead. */
export function checkCondition(c: Condition, facts: ResponseFacts): string | undefined {
  let actual: unknown;
  switch (c.subject) {
    case 'STATUS':
      actual = facts.status;
      break;
    case 'RESPONSE_TIME':
      actual = Math.round(facts.responseTimeMs);
      break;
    case 'DNS_TIME':
      actual = facts.dnsTimeMs === undefined ? undefined : Math.round(facts.dnsTimeMs);
      break;
    case 'HEADER':
      actual = facts.headers[String(c.path[0]).toLowerCase()];
      break;
    case 'CERTIFICATE_EXPIRATION':
      if (facts.certificateExpiresInMs === undefined) return 'no TLS certificate (not an https URL)';
      actual = facts.certificateExpiresInMs;
      break;
    case 'BODY':
      if (c.path.length === 0) actual = facts.body;
      else {
        if (facts.bodyTruncated) return 'the body is larger than the limit, so it was not read as JSON';
        let json: unknown;
        try {
          json = JSON.parse(facts.body);
        } catch {
          return 'the body is not JSON';
        }
        actual = lookup(json, c.path);
      }
      break;
  }
  if (actual !== null && typeof actual === 'object') {
    // String() and Number() of an array recurse into it: JSON nested thousands deep overflows the stack.
    try {
      String(actual);
    } catch {
      return 'got a value nested too deeply to compare';
    }
  }
  const expectedNumber = c.subject === 'CERTIFICATE_EXPIRATION' ? parseDuration(c.expected)! : Number(c.expected);
  const numeric = typeof actual === 'number' || (typeof actual === 'string' && actual.trim() !== '' && !Number.isNaN(Number(actual)));
  let holds: boolean;
  switch (c.op) {
    case '=~':
    case '!~':
      holds = new RegExp(c.expected).test(typeof actual === 'string' ? actual : show(actual)) === (c.op === '=~');
      break;
    case '==':
    case '!=': {
      const equal = numeric && !Number.isNaN(expectedNumber) ? Number(actual) === expectedNumber : String(actual) === c.expected;
      holds = equal === (c.op === '==');
      break;
    }
    default: {
      if (!numeric || Number.isNaN(expectedNumber)) return `${show(actual)} is not a number`;
      const a = Number(actual);
      holds = c.op === '<' ? a < expectedNumber : c.op === '<=' ? a <= expectedNumber : c.op === '>' ? a > expectedNumber : a >= expectedNumber;
    }
  }
  if (holds) return undefined;
  if (c.subject === 'CERTIFICATE_EXPIRATION') return `the certificate expires in ${Math.max(0, Math.round(Number(actual) / 3_600_000))}h`;
  return `got ${show(actual)}`;
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
