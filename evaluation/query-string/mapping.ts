// The mapping pipewatch gives NDJSON log lines, so a query means on a file what
// it means on an Elasticsearch index created with the same mapping
// (docs/logging/logs-template.json, checked against this file by
// test/unit/query-string.test.ts): `message`, `error.message` and
// `error.stack_trace` are `text` (standard analyzer); `@timestamp` is a `date`;
// every other string is a `keyword` (exact, case-sensitive); JSON numbers are
// `long` / `double`, true/false `boolean`. Nested objects and dotted names
// ("log.level") are the same field, as Elasticsearch expands dotted names.
// Unnamed terms search every field (`default_field: *`, lenient, as
// Elasticsearch does when default_field is *). Pure.

export type FieldType = 'text' | 'keyword' | 'number' | 'boolean' | 'date';

export const TEXT_FIELDS: readonly string[] = ['message', 'error.message', 'error.stack_trace'];
export const DATE_FIELDS: readonly string[] = ['@timestamp'];

export type Scalar = string | number | boolean;

/** Every leaf of a document by its dotted path, values in document order (arrays flattened). */
export type Flat = Map<string, Scalar[]>;

export function flatten(doc: unknown): Flat {
  const out: Flat = new Map();
  const walk = (value: unknown, path: string): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v, path);
      return;
    }
    if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, path ? `${path}.${k}` : k);
      return;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return;
    if (!path) return;
    const list = out.get(path);
    if (list) list.push(value);
    else out.set(path, [value]);
  };
  walk(doc, '');
  return out;
}

/** The type a value has in the mapping: by the field's name first, then by its JSON type. */
export function fieldType(path: string, value: Scalar): FieldType {
  if (TEXT_FIELDS.includes(path)) return 'text';
  if (DATE_FIELDS.includes(path)) return 'date';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'keyword';
}

/**
 * Field names a query's field stands for in one document: `*` is every field
 * but metadata (names starting with `_`), a name with `*` is a pattern
 * (Elasticsearch's simple match), any other name is itself.
 */
export function resolveFields(field: string, flat: Flat): string[] {
  if (field === '*') return [...flat.keys()].filter((k) => !k.startsWith('_'));
  if (field.includes('*')) return [...flat.keys()].filter((k) => simpleMatch(field, k));
  return flat.has(field) ? [field] : [];
}

/** Elasticsearch's Regex.simpleMatch: `*` stands for any run of characters. */
export function simpleMatch(pattern: string, name: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  if (!name.startsWith(parts[0]!) || !name.endsWith(parts.at(-1)!)) return false;
  let at = parts[0]!.length;
  const end = name.length - parts.at(-1)!.length;
  for (const part of parts.slice(1, -1)) {
    const i = name.indexOf(part, at);
    if (i < 0 || i + part.length > end) return false;
    at = i + part.length;
  }
  return at <= end;
}

/** The same mapping as an Elasticsearch index template body (what docs/logging/logs-template.json holds). */
export function elasticsearchMappings(): Record<string, unknown> {
  return {
    date_detection: false,
    numeric_detection: false,
    dynamic_templates: [
      { strings_as_keywords: { match_mapping_type: 'string', mapping: { type: 'keyword' } } },
      { whole_numbers: { match_mapping_type: 'long', mapping: { type: 'long' } } },
      { fractions: { match_mapping_type: 'double', mapping: { type: 'double' } } },
    ],
    properties: {
      '@timestamp': { type: 'date' },
      message: { type: 'text' },
      error: { properties: { message: { type: 'text' }, stack_trace: { type: 'text' } } },
    },
  };
}
