// HTML (and SVG/XML) built with one tagged template that escapes by default: the status page, the
// notification emails and the report's digest and charts all render through `html`. Every
// interpolation is escaped unless it is markup already — the result of another `html` template, or
// a string wrapped by `unsafeHtml`, whose name says it is trusted. So forgetting to escape is not
// possible; trusting is a visible decision. Pure: no Node imports, usable from any room.

/** Markup that is already safe to place as it is: made by `html`, or declared so by `unsafeHtml`. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The one escaper: the five characters that can end text or a quoted attribute value, in HTML and in
 * XML alike (`&#39;` is valid in both, unlike `&apos;` in old HTML). null and undefined become ''.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Markup placed without escaping. Only for text that is markup by construction (a stylesheet, a script, fixed tags). */
export function unsafeHtml(markup: string): Html {
  return new Html(markup);
}

function part(value: unknown): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(part).join('');
  return escapeHtml(value);
}

/**
 * A template whose interpolations are escaped (text and attribute values alike), except `Html`
 * values; an array interpolates each element the same way, joined with nothing; null and
 * undefined interpolate as ''. Attribute values must be quoted in the template.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Html values joined with a separator (itself markup, e.g. '\n' or '<br>'). */
export function joinHtml(items: Html[], separator = ''): Html {
  return new Html(items.map((i) => i.markup).join(separator));
}
