// A problem with pipewatch.yaml as `validate` prints it — file:line:column: path: message — and the
// wording shared by every check that names another part of the file ("unknown connector …; did you
// mean …").
import { clipText } from './problem-text.js';

export type ConfigPath = Array<string | number>;

export interface ConfigProblem {
  file: string;
  line?: number;
  column?: number;
  path: string;
  message: string;
  /**
   * "error" refuses the file; "warning" is a lint: the file loads and runs as written, `validate`
   * shows it and `validate --strict` fails on it. Absent means error.
   */
  severity?: 'error' | 'warning';
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  const message = p.severity === 'warning' ? `warning: ${p.message}` : p.message;
  return p.path ? `${where}: ${p.path}: ${message}` : `${where}: ${message}`;
}

export function formatPath(path: ConfigPath): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : i === 0 ? clipText(part, 100) : `.${clipText(part, 100)}`,
    )
    .join('');
}

/** Whether a problem refuses the file (warnings do not). */
export function isError(p: ConfigProblem): boolean {
  return p.severity !== 'warning';
}

/** How checks report: the path in the parsed config and the message (config/load.ts locates it). */
export type Report = (path: ConfigPath, message: string) => void;

export function unknownRef(kind: string, name: string, known: string[]): string {
  const hint = closest(name, known);
  const list = known.length > 0 ? `declared ${kind}s: ${known.join(', ')}` : `no ${kind}s are declared`;
  return `unknown ${kind} "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; ${list}`;
}

export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
