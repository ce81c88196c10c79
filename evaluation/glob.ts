// File-name patterns, with one meaning wherever pipewatch takes one (a logfiles connector's `path`,
// a cronJobs check's `manifests`): `*` is any run of characters, `?` exactly one character, and
// every other character is itself (no [classes], {braces} or ** — a name like `app[1].ndjson`
// means that name). A pattern matches a file's name within one directory, so neither wildcard
// matches "/"; dot files match like any other. Pure (no Node imports), so any room may use it.
//
// Not to be confused with the two pattern languages pipewatch takes from other tools and keeps
// as they define them: Gatus' pat() (Go's filepath.Match, evaluation/gatus-values.ts) and
// Lucene wildcards in log queries (evaluation/query-string/).

/** Whether `name` holds a wildcard, i.e. is a pattern rather than a file name. */
export function hasWildcard(name: string): boolean {
  return /[*?]/.test(name);
}

/** The pattern as an anchored regular expression over one file name. */
export function globRegExp(pattern: string): RegExp {
  let source = '';
  for (const c of pattern) {
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'u');
}

/** Whether a file name matches the pattern. */
export function globMatches(pattern: string, name: string): boolean {
  return globRegExp(pattern).test(name);
}
