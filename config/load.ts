// Loads pipewatch.yaml: YAML → typed schema → cross-references → normalised
// monitor definitions. Every problem found is reported at once, each with the
// file, line, column and path, and nothing downstream runs on a bad file.
// The parts: config/issue-locator.ts (schema issues in the file's words, at
// their line), config/monitors.ts, config/notification.ts and config/reports.ts
// (cross-references and normalising), config/lint.ts (warnings).
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { findEnvRefs } from './env.js';
import { lintConfig } from './lint.js';
import { clipMessage, clipText } from './problem-text.js';
import { salvage } from './salvage.js';
import { MAX_NESTING, repeatedKeys, tooDeep } from './yaml-checks.js';
import { groupsFor } from './groups.js';
import { selfMonitors } from './self-monitor.js';
import { describeIssue, locateIn, valueAt } from './issue-locator.js';
import { normalise } from './monitors.js';
import { notificationPolicy } from './notification.js';
import {
  ConfigError,
  formatPath,
  isError,
  unknownRef,
  type ConfigPath,
  type ConfigProblem,
  type Report,
} from './problems.js';
import { reportDefinitions } from './reports.js';
import type { CadenceGroup, MonitorDefinition, NotificationPolicy, ReportDefinition } from './model.js';
import { pipewatchConfig, type PipewatchConfigRaw } from './schema.js';

export { ConfigError, formatPath, formatProblem, isError, type ConfigPath, type ConfigProblem } from './problems.js';
export { spreadOffset, withVersion } from './monitors.js';

export interface LoadedConfig {
  file: string;
  raw: PipewatchConfigRaw;
  monitors: MonitorDefinition[];
  /** Cadence groups (config cadenceGroups): members run in their group's schedule, not one of their own. */
  groups: CadenceGroup[];
  /** Built in (config/self-monitor.ts): synced, checked by doctor and shown like a monitor, never among `monitors`. */
  selfMonitors?: MonitorDefinition[];
  /** Routing, receivers, channels: what monitors carry, for everything else that notifies. */
  notification: NotificationPolicy;
  /** One periodic report per declared pipeline that has not turned it off. */
  reports: ReportDefinition[];
  /** Lints: settings that load and run as written but probably do not mean it (`validate` prints them). */
  warnings?: ConfigProblem[];
}

export interface LoadOptions {
  /** Environment used to check that every `${VAR}` is set; false skips the check. */
  env?: NodeJS.ProcessEnv | false;
}

export const DEFAULT_CONFIG_FILE = 'pipewatch.yaml';

/** The config file chosen by --config, then PIPEWATCH_CONFIG, then ./pipewatch.yaml. */
export function configPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.PIPEWATCH_CONFIG ?? DEFAULT_CONFIG_FILE;
}

/** Everything `validate` says about a file: its problems (errors and warnings, in file order) and, when none is an error, the loaded configuration. */
export interface Validation {
  file: string;
  problems: ConfigProblem[];
  config?: LoadedConfig;
}

export function loadConfigFile(file: string, options: LoadOptions = {}): LoadedConfig {
  return loadedOrThrow(validateConfigFile(file, options));
}

export function parseConfig(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  return loadedOrThrow(validateConfigText(text, file, options));
}

function loadedOrThrow(v: Validation): LoadedConfig {
  if (!v.config) throw new ConfigError(v.problems);
  return v.config;
}

/** What `validate`, `schedules sync` and every other command that reads the file check: one pass, every problem. */
export function validateConfigFile(file: string, options: LoadOptions = {}): Validation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(err)})`;
    return {
      file,
      problems: [
        { file, path: '', message: `${why}; pass --config <file> or set PIPEWATCH_CONFIG`, severity: 'error' },
      ],
    };
  }
  return validateConfigText(text, file, options);
}

export function validateConfigText(text: string, file: string, options: LoadOptions = {}): Validation {
  const refused = (problems: ConfigProblem[]): Validation => ({
    file,
    problems: problems.map((p) => ({ ...p, severity: 'error' })),
  });
  // The composer recurses per level of nesting; measure on the parser's tokens first.
  const deep = tooDeep(text);
  if (deep) {
    const before = text.slice(0, deep.offset);
    const line = before.split('\n').length;
    const column = deep.offset - before.lastIndexOf('\n');
    return refused([
      {
        file,
        line,
        column,
        path: '',
        message: `nested deeper than ${MAX_NESTING} levels at line ${line}; a pipewatch configuration nests about ten`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  // Repeated keys are found below with both lines; the parser's own error names neither.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, logLevel: 'error' });
  const locate = (path: ConfigPath, key?: string) => locateIn(doc, lineCounter, path, key);

  if (doc.errors.length > 0) {
    // One syntax slip makes the parser report every token after it; the first error of each line, for
    // the first few lines, is what a person can act on.
    const lines = text.split('\n');
    const seen = new Set<number>();
    const problems: ConfigProblem[] = [];
    for (const e of doc.errors) {
      const pos = lineCounter.linePos(e.pos[0]);
      if (seen.has(pos.line)) continue;
      seen.add(pos.line);
      const source = lines[pos.line - 1] ?? '';
      // "${X}" unquoted inside { … } or [ … ]: YAML reads its "{" as the start of a nested mapping.
      const ref = source.indexOf('${');
      const hint =
        ref > 0 && !`"'`.includes(source[ref - 1]!) && /[{[]/.test(source.slice(0, ref))
          ? ' (quote environment references inside { } or [ ]: "${NAME}")'
          : '';
      problems.push({
        file,
        line: pos.line,
        column: pos.col,
        path: '',
        message: clipMessage(`invalid YAML: ${e.message.split('\n')[0]}${hint}`),
      });
    }
    const shown = problems.slice(0, 5);
    if (problems.length > shown.length) {
      const last = shown[shown.length - 1]!;
      shown.push({
        ...last,
        message: `… and syntax errors on ${problems.length - shown.length} more lines, most likely caused by the first`,
      });
    }
    return refused(shown);
  }
  if (doc.contents === null) {
    return refused([
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message: `the file is empty${text.trim() ? ' (only comments)' : ''}; a configuration starts with "version: 1"`,
      },
    ]);
  }
  const problems: ConfigProblem[] = repeatedKeys(doc, lineCounter).map((r) => ({
    file,
    line: r.line,
    column: r.column,
    path: formatPath(r.path),
    message: `duplicate key "${clipText(r.key)}": first at line ${r.firstLine}, again at line ${r.line}; a key may appear once in a mapping (the later value would silently replace the first)`,
    severity: 'error',
  }));
  let input: unknown;
  try {
    // Aliases are expanded here; the yaml library refuses a file whose aliases multiply (an alias bomb).
    input = doc.toJS({ maxAliasCount: 1_000 }) ?? {};
  } catch (err) {
    return refused([
      ...problems,
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message: clipMessage(`invalid YAML: ${(err as Error).message.split('\n')[0]}`),
      },
    ]);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return refused([
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message: 'expected a mapping with version, connectors, channels and monitors',
      },
    ]);
  }

  const parsed = pipewatchConfig.safeParse(input);
  let raw: PipewatchConfigRaw | undefined;
  // Without schema errors, paths are the file's own; with them, the checks below run on the part that
  // parsed (config/salvage.ts) and their paths are mapped back to the file as written.
  let originalPath = (path: ConfigPath): ConfigPath => path;
  let causedByRemoval = (_message: string, _path: ConfigPath): boolean => false;
  if (parsed.success) raw = parsed.data;
  else {
    for (const issue of parsed.error.issues) {
      const path = issue.path as ConfigPath;
      const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      problems.push({
        file,
        ...locate(path, unknownKey),
        path: formatPath(unknownKey ? [...path, unknownKey] : path),
        message: clipMessage(describeIssue(issue, input, path, pipewatchConfig), valueAt(input, path)),
        severity: 'error',
      });
    }
    const salvaged = salvage(pipewatchConfig, input, parsed.error.issues);
    if (salvaged) {
      raw = salvaged.data;
      originalPath = salvaged.originalPath;
      causedByRemoval = salvaged.causedByRemoval;
    }
  }

  /**
   * How checks report. `problem(path, message)` refuses the file; `warn(path, message)` is a lint
   * (the file loads; `validate` prints it, `--strict` fails on it). Both take the path in the parsed
   * config and get the file's line and column, the path as written and a message with long values cut.
   */
  const reporter =
    (severity: 'error' | 'warning'): Report =>
    (path, message) => {
      const at = originalPath(path);
      if (causedByRemoval(message, at)) return;
      // Messages that name another monitor by index name it as the file does.
      const text = message.replace(
        /\bmonitors\[(\d+)\]/g,
        (_, i: string) => `monitors[${String(originalPath(['monitors', Number(i)])[1])}]`,
      );
      problems.push({
        file,
        ...locate(at),
        path: formatPath(at),
        message: clipMessage(text, valueAt(input, at)),
        severity,
      });
    };
  const problem = reporter('error');
  const warn = reporter('warning');

  if (options.env !== false) {
    const env = options.env ?? process.env;
    for (const ref of findEnvRefs(input)) {
      if (env[ref.variable] === undefined)
        problems.push({
          file,
          ...locate(ref.path),
          path: formatPath(ref.path),
          message: `environment variable ${ref.variable} is not set`,
          severity: 'error',
        });
    }
  }

  let loaded: LoadedConfig | undefined;
  if (raw) {
    const notification = notificationPolicy(raw, problem);
    const joinable = new Set<string>();
    const monitors = normalise(raw, notification, problem, joinable, warn);
    if (raw.interventions.receiver && !notification.receivers[raw.interventions.receiver]) {
      problem(
        ['interventions', 'receiver'],
        unknownRef('receiver', raw.interventions.receiver, Object.keys(notification.receivers)),
      );
    }
    const reports = reportDefinitions(raw, monitors, notification, problem);
    lintConfig({ raw, monitors }, { problem, warn });
    const groups = groupsFor(
      monitors.filter((m) => joinable.has(m.id)),
      raw.cadenceGroups,
    );
    // The built-in self-monitor, normalised as a declared one would be (its own problems cannot occur).
    const selfMonitorDefs = selfMonitors(raw, (r) => normalise(r, notification, () => undefined, new Set()), problem);
    loaded = { file, raw, monitors, groups, notification, reports, selfMonitors: selfMonitorDefs };
  }
  // File order; problems on one line keep the order they were found in.
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  if (!loaded || problems.some(isError)) return { file, problems };
  return { file, problems, config: { ...loaded, ...(problems.length ? { warnings: problems } : {}) } };
}
