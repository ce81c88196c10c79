// Regular expressions as Prometheus, Alertmanager and Gatus users write them: RE2 syntax and
// semantics (`(?i)`, `\p{L}`, `[[:alpha:]]`, no backreferences or lookaround), matched in linear
// time. Every pattern a user writes goes through here — matchers, `=~`/`!~` conditions, `pat()`,
// log filters — never through JavaScript's RegExp, whose syntax differs and which backtracks
// (`(a+)+` is super-linear), and which would run inside workflow code. Pure: safe in workflows.
import { RE2JS } from 're2js';

export interface Regex {
  /** The pattern as the user wrote it. */
  readonly source: string;
  /** Anchored: the whole input must match (Alertmanager, Prometheus). Otherwise a match anywhere (Gatus `=~`). */
  readonly anchored: boolean;
  test(input: string): boolean;
}

export interface RegexOptions {
  /** Match the whole input, as Alertmanager's and Prometheus' label matchers do (default false: find anywhere). */
  anchored?: boolean;
}

const cache = new Map<string, Regex>();
const CACHE_LIMIT = 1_000;

/** Compiles an RE2 pattern; throws an Error whose message says what RE2 refused. */
export function compileRegex(source: string, options: RegexOptions = {}): Regex {
  const anchored = options.anchored ?? false;
  const key = `${anchored ? 'a' : 'f'}:${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let pattern: RE2JS;
  try {
    pattern = RE2JS.compile(source);
  } catch (err) {
    throw new Error(describeRe2Error(err), { cause: err });
  }
  const regex: Regex = {
    source,
    anchored,
    test: anchored ? (input) => pattern.matches(input) : (input) => pattern.matcher(input).find(),
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, regex);
  return regex;
}

/** undefined when the pattern compiles under RE2; otherwise RE2's reason, for a load-time error. */
export function regexProblem(source: string): string | undefined {
  try {
    compileRegex(source);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function describeRe2Error(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const text = message.replace(/^error parsing regexp: /, '');
  if (/Perl syntax: `\(\?[=!<]/.test(text)) return `${text} (RE2 has no lookahead or lookbehind)`;
  if (/escape sequence: `\\[1-9]/.test(text)) return `${text} (RE2 has no backreferences)`;
  return text;
}
