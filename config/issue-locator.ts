// The zod-error locator: from a schema issue to what `validate` prints — a message in the file's
// terms (the keys a mapping takes, the types a union knows: read from zod's definitions, walked
// alongside the input) and the line and column of the path in the YAML document.
import { isMap, isNode, isPair, isScalar, type Document, type LineCounter } from 'yaml';
import type { z } from 'zod';
import { closest, type ConfigPath } from './problems.js';

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** The message for a schema issue at `path` of `input`, validated against `root`. */
export function describeIssue(issue: Issue, input: unknown, path: ConfigPath, root: AnySchema): string {
  const value = valueAt(input, path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected =
        ({ record: 'a mapping', object: 'a mapping', array: 'a list', tuple: 'a list' } as Record<string, string>)[
          issue.expected
        ] ?? issue.expected;
      // A schema's own words for the type ("a duration such as …") say more than its JSON type.
      const own = issue.message && !issue.message.startsWith('Invalid input') ? issue.message : undefined;
      if (value === undefined) return `required; expected ${own ?? expected}`;
      return `expected ${own ?? expected}, got ${describeValue(value)}`;
    }
    case 'unrecognized_keys': {
      const known = knownKeys(root, input, path);
      const hint = closest(issue.keys[0]!, known);
      return `unknown field "${issue.keys.join('", "')}"${hint ? ` (did you mean "${hint}"?)` : ''}${
        known.length ? `; expected one of: ${known.join(', ')}` : ''
      }`;
    }
    case 'invalid_union': {
      // The failing discriminator is reported either at the union or at its tag field.
      const last = path.at(-1);
      const candidates: Array<[ConfigPath, unknown]> = [[path, value]];
      if (typeof last === 'string') candidates.push([path.slice(0, -1), valueAt(input, path.slice(0, -1))]);
      for (const [at, holder] of candidates) {
        const schema = schemaAt(root, input, at);
        const disc = schema ? discriminatorOf(schema) : undefined;
        if (!disc) continue;
        const got = (holder as Record<string, unknown> | undefined)?.[disc.key];
        return got === undefined
          ? `"${disc.key}" is required; expected one of: ${disc.values.join(', ')}`
          : `unknown ${disc.key} ${typeof got === 'string' ? `"${got}"` : describeValue(got)}; expected one of: ${disc.values.join(', ')}`;
      }
      return issue.message;
    }
    case 'invalid_value': {
      const expected = issue.values.map((v) => JSON.stringify(v)).join(' or ');
      return value === undefined
        ? `required; expected ${expected}`
        : `expected ${expected}, got ${describeValue(value)}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${issue.minimum} item(s)`;
      return issue.message.replace(/^Too small: /, '');
    case 'too_big':
      return issue.message.replace(/^Too big: /, '');
    case 'invalid_format':
      return `${issue.message}; got ${describeValue(value)}`;
    case 'invalid_key':
      // A record's name (a receiver's, a time interval's…) that is not an id: say why, not "Invalid key".
      return `invalid name ${JSON.stringify(issue.path.at(-1) ?? '')}: ${issue.issues[0]?.message ?? 'not an id'}`;
    default:
      return issue.message;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return `${typeof value} ${String(value)}`;
}

/** The value at a path of the input, if it is there. */
export function valueAt(input: unknown, path: ConfigPath): unknown {
  let cur: unknown = input;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[part];
  }
  return cur;
}

function def(schema: AnySchema): Record<string, unknown> & { type: string } {
  return schema._zod.def as unknown as Record<string, unknown> & { type: string };
}

/** Strips wrappers (optional, default, pipe …) down to the schema that validates the value. */
function unwrap(schema: AnySchema, value: unknown): AnySchema {
  let s = schema;
  for (;;) {
    const d = def(s);
    if (['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch'].includes(d.type))
      s = d.innerType as AnySchema;
    else if (d.type === 'pipe') s = d.in as AnySchema;
    else if (d.type === 'lazy') s = (d.getter as () => AnySchema)();
    else if (d.type === 'union' && typeof d.discriminator === 'string' && value && typeof value === 'object') {
      const key = d.discriminator;
      const tag = (value as Record<string, unknown>)[key];
      const match = (d.options as AnySchema[]).find((o) => {
        const shape = def(unwrap(o, undefined)).shape as Record<string, AnySchema> | undefined;
        const lit = shape?.[key] ? def(shape[key]!) : undefined;
        return Array.isArray(lit?.values) && (lit.values as unknown[]).includes(tag);
      });
      if (!match) return s;
      s = match;
    } else return s;
  }
}

function schemaAt(root: AnySchema, input: unknown, path: ConfigPath): AnySchema | undefined {
  let schema = unwrap(root, input);
  let value = input;
  for (const part of path) {
    const d = def(schema);
    value = (value as Record<string | number, unknown> | undefined)?.[part];
    let next: AnySchema | undefined;
    if (d.type === 'object') next = (d.shape as Record<string, AnySchema>)[part as string];
    else if (d.type === 'array') next = d.element as AnySchema;
    else if (d.type === 'record') next = d.valueType as AnySchema;
    else if (d.type === 'tuple') next = (d.items as AnySchema[])[part as number];
    if (!next) return undefined;
    schema = unwrap(next, value);
  }
  return schema;
}

function knownKeys(root: AnySchema, input: unknown, path: ConfigPath): string[] {
  const schema = schemaAt(root, input, path);
  if (!schema) return [];
  const d = def(schema);
  return d.type === 'object' ? Object.keys(d.shape as object) : [];
}

function discriminatorOf(schema: AnySchema): { key: string; values: string[] } | undefined {
  const d = def(schema);
  if (d.type !== 'union' || typeof d.discriminator !== 'string') return undefined;
  const key = d.discriminator;
  const values = (d.options as AnySchema[]).flatMap((o) => {
    const shape = def(unwrap(o, undefined)).shape as Record<string, AnySchema> | undefined;
    const lit = shape?.[key] ? def(shape[key]!) : undefined;
    return Array.isArray(lit?.values) ? (lit.values as unknown[]).map(String) : [];
  });
  return { key, values };
}

/** Line and column of a path (or of `key` in the mapping there) in the document; a missing key points at its parent. */
export function locateIn(
  doc: Document,
  lineCounter: LineCounter,
  path: ConfigPath,
  key?: string,
): { line?: number; column?: number } {
  // Walk as deep as the document goes; a missing key points at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (!isNode(node) || !node.range) continue;
    let offset = node.range[0];
    if (depth === path.length && key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
    } else if (depth < path.length && isMap(node)) {
      // Point at the key of the deepest existing node rather than its value.
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === path[depth]);
      if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
    }
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  }
  return {};
}
