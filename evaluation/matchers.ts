// Label matchers as operators write them in Alertmanager: `pipeline = intel`,
// `severity =~ "warning|critical"`, `team != lake`, `env !~ "dev.*"`. Pure.

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export type Labels = Record<string, string>;

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"\s]*))\s*$/;

/** Parses one matcher; returns an error message instead when it is malformed. */
export function parseMatcher(text: string): Matcher | string {
  const m = MATCHER.exec(text);
  if (!m) return `"${text}" is not a matcher; write it like 'pipeline = intel', 'severity =~ "warning|critical"' or 'team != lake'`;
  const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[4] ?? '');
  const op = m[2] as MatchOp;
  if (op === '=~' || op === '!~') {
    try {
      new RegExp(`^(?:${value})$`);
    } catch (err) {
      return `"${text}": the regular expression does not compile (${(err as Error).message})`;
    }
  }
  return { label: m[1]!, op, value };
}

export function formatMatcher(m: Matcher): string {
  return m.op === '=~' || m.op === '!~' ? `${m.label} ${m.op} "${m.value}"` : `${m.label} ${m.op} ${m.value}`;
}

/** A missing label reads as "" (as in Alertmanager); regexes are anchored. */
export function matches(matcher: Matcher, labels: Labels): boolean {
  const value = labels[matcher.label] ?? '';
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return new RegExp(`^(?:${matcher.value})$`).test(value);
    case '!~':
      return !new RegExp(`^(?:${matcher.value})$`).test(value);
  }
}

export function matchesAll(matchers: Matcher[], labels: Labels): boolean {
  return matchers.every((m) => matches(m, labels));
}
