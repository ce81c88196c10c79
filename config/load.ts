// Loads pipewatch.yaml: YAML → typed schema → cross-references → normalised
// monitor definitions. Every problem found is reported at once, each with the
// file, line, column and path, and nothing downstream runs on a bad file.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { findEnvRefs } from './env.js';
import { lintConfig } from './lint.js';
import { clipMessage, clipText } from './problem-text.js';
import { salvage } from './salvage.js';
import { MAX_NESTING, repeatedKeys, tooDeep } from './yaml-checks.js';
import { isEventLikeRule, keyedRuleProblem, logRuleLints } from './log-rules.js';
import { groupsFor, mayJoinGroup } from './groups.js';
import { selfMonitors } from './self-monitor.js';
import { parseDuration } from './duration.js';
import { escalationCycle } from '../evaluation/escalation.js';
import { NO_RECEIVER } from '../evaluation/routing.js';
import { windowsJudgedWithinMs } from '../reports/period.js';
import type { Unit } from '../evaluation/types.js';
import type {
  CadenceGroup,
  EscalationPolicy,
  MonitorDefinition,
  MonitorSchedule,
  NamedConnector,
  NotificationPolicy,
  PipelineStage,
  Receiver,
  ReportDefinition,
  ResultsSink,
  RouteNode,
  Rule,
} from './model.js';
import {
  CHECK_PERSPECTIVE,
  CHECK_SUPPORT,
  DEFAULT_CADENCE,
  checkUnit,
  pipewatchConfig,
  type PipewatchConfigRaw,
  type RouteRaw,
  type RuleSpec,
  type ScheduleSpec,
} from './schema.js';
import { graphFacts } from './graph.js';

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
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? clipText(part, 100) : `.${clipText(part, 100)}`)).join('');
}

/** Whether a problem refuses the file (warnings do not). */
export function isError(p: ConfigProblem): boolean {
  return p.severity !== 'warning';
}

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
    return { file, problems: [{ file, path: '', message: `${why}; pass --config <file> or set PIPEWATCH_CONFIG`, severity: 'error' }] };
  }
  return validateConfigText(text, file, options);
}

export function validateConfigText(text: string, file: string, options: LoadOptions = {}): Validation {
  const refused = (problems: ConfigProblem[]): Validation => ({ file, problems: problems.map((p) => ({ ...p, severity: 'error' })) });
  // The composer recurses per level of nesting; measure on the parser's tokens first.
  const deep = tooDeep(text);
  if (deep) {
    const before = text.slice(0, deep.offset);
    const line = before.split('\n').length;
    const column = deep.offset - before.lastIndexOf('\n');
    return refused([{ file, line, column, path: '', message: `nested deeper than ${MAX_NESTING} levels at line ${line}; a pipewatch configuration nests about ten` }]);
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
      const hint = ref > 0 && !`"'`.includes(source[ref - 1]!) && /[{[]/.test(source.slice(0, ref)) ? ' (quote environment references inside { } or [ ]: "${NAME}")' : '';
      problems.push({ file, line: pos.line, column: pos.col, path: '', message: clipMessage(`invalid YAML: ${e.message.split('\n')[0]}${hint}`) });
    }
    const shown = problems.slice(0, 5);
    if (problems.length > shown.length) {
      const last = shown[shown.length - 1]!;
      shown.push({ ...last, message: `… and syntax errors on ${problems.length - shown.length} more lines, most likely caused by the first` });
    }
    return refused(shown);
  }
  if (doc.contents === null) {
    return refused([{ file, line: 1, column: 1, path: '', message: `the file is empty${text.trim() ? ' (only comments)' : ''}; a configuration starts with "version: 1"` }]);
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
    return refused([...problems, { file, line: 1, column: 1, path: '', message: clipMessage(`invalid YAML: ${(err as Error).message.split('\n')[0]}`) }]);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return refused([{ file, line: 1, column: 1, path: '', message: 'expected a mapping with version, connectors, channels and monitors' }]);
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
        message: clipMessage(describeIssue(issue, input, path), valueAt(input, path)),
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
  const reporter = (severity: 'error' | 'warning'): Report => (path, message) => {
    const at = originalPath(path);
    if (causedByRemoval(message, at)) return;
    // Messages that name another monitor by index name it as the file does.
    const text = message.replace(/\bmonitors\[(\d+)\]/g, (_, i: string) => `monitors[${String(originalPath(['monitors', Number(i)])[1])}]`);
    problems.push({ file, ...locate(at), path: formatPath(at), message: clipMessage(text, valueAt(input, at)), severity });
  };
  const problem = reporter('error');
  const warn = reporter('warning');

  if (options.env !== false) {
    const env = options.env ?? process.env;
    for (const ref of findEnvRefs(input)) {
      if (env[ref.variable] === undefined) problems.push({ file, ...locate(ref.path), path: formatPath(ref.path), message: `environment variable ${ref.variable} is not set`, severity: 'error' });
    }
  }

  let loaded: LoadedConfig | undefined;
  if (raw) {
    const notification = notificationPolicy(raw, problem);
    const joinable = new Set<string>();
    const monitors = normalise(raw, notification, problem, joinable, warn);
    if (raw.interventions.receiver && !notification.receivers[raw.interventions.receiver]) {
      problem(['interventions', 'receiver'], unknownRef('receiver', raw.interventions.receiver, Object.keys(notification.receivers)));
    }
    const reports = reportDefinitions(raw, monitors, notification, problem);
    lintConfig({ raw, monitors }, { problem, warn });
    const groups = groupsFor(monitors.filter((m) => joinable.has(m.id)), raw.cadenceGroups);
    // The built-in self-monitor, normalised as a declared one would be (its own problems cannot occur).
    const selfMonitorDefs = selfMonitors(raw, (r) => normalise(r, notification, () => undefined, new Set()), problem);
    loaded = { file, raw, monitors, groups, notification, reports, selfMonitors: selfMonitorDefs };
  }
  // File order; problems on one line keep the order they were found in.
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  if (!loaded || problems.some(isError)) return { file, problems };
  return { file, problems, config: { ...loaded, ...(problems.length ? { warnings: problems } : {}) } };
}

// ---------------------------------------------------------------- normalising

type Report = (path: ConfigPath, message: string) => void;

/** The monitors of a config; `joinable` gets the ids of those that may run in a cadence group. */
function normalise(raw: PipewatchConfigRaw, notification: NotificationPolicy, problem: Report, joinable: Set<string>, warn: Report = () => undefined): MonitorDefinition[] {
  const seen = new Map<string, number>();
  const out: MonitorDefinition[] = [];
  const connectorIds = Object.keys(raw.connectors);
  const sink = resultsSink(raw, problem);
  // Stage, dependencies and correlation from the pipeline graph (config/graph.ts).
  const graph = graphFacts(raw, problem, unknownRef);

  raw.monitors.forEach((m, i) => {
    const at = (...rest: ConfigPath): ConfigPath => ['monitors', i, ...rest];
    const before = seen.get(m.id);
    if (before !== undefined) problem(at('id'), `duplicate monitor id "${m.id}" (first declared at monitors[${before}])`);
    else seen.set(m.id, i);

    let connector: NamedConnector | undefined;
    let stages: PipelineStage[] | undefined;
    if (m.check.type === 'stageCounts') {
      if (m.connector) problem(at('connector'), 'a stageCounts check reads the stages of its pipeline; remove "connector"');
      stages = pipelineStages(raw, m.check.pipeline, at('check', 'pipeline'), problem);
    } else if (!m.connector) {
      problem(at('connector'), `required: the connector this ${m.check.type} check runs on; declared connectors: ${connectorIds.join(', ') || '(none)'}`);
    } else if (!raw.connectors[m.connector]) {
      problem(at('connector'), unknownRef('connector', m.connector, connectorIds));
    } else {
      const spec = raw.connectors[m.connector]!;
      connector = { id: m.connector, ...spec };
      if (!CHECK_SUPPORT[m.check.type].includes(spec.type)) {
        problem(
          at('check', 'type'),
          `a ${spec.type} connector cannot run a ${m.check.type} check; it runs ${Object.entries(CHECK_SUPPORT)
            .filter(([, types]) => types.includes(spec.type))
            .map(([t]) => t)
            .join(', ')}`,
        );
      } else if (m.check.type === 'logs' && spec.type === 'elasticsearch' && !m.check.index) {
        problem(at('check', 'index'), 'a logs check on Elasticsearch needs "index" (an index or pattern such as logs-pipelines-*)');
      } else if (m.check.type === 'count' || m.check.type === 'freshness') {
        const c = m.check;
        const fields: Array<[string, string | undefined]> = [['dataset', c.dataset], ['timestamp', c.timestamp], ['uniqueId', c.type === 'count' ? c.uniqueId : undefined]];
        for (const [field, value] of fields) {
          const why = value === undefined ? undefined : checkSourceName(spec.type, field, value);
          if (why) problem(at('check', field), why);
        }
      }
    }
    const cadence = DEFAULT_CADENCE[m.check.type];
    const scheduleRaw = m.schedule ?? (cadence ? { every: cadence, catchupWindow: 300_000 } : raw.defaults.schedule);
    if (!scheduleRaw) problem(at('schedule'), 'no schedule: give the monitor "schedule: { every: 5m }" or set defaults.schedule');

    const unit = checkUnit(m.check);
    const rules = m.rules.map((r, j) => normaliseRule(r, unit, (path, msg) => problem(at('rules', j, ...path), msg)));
    if (m.check.type === 'logs') {
      if (m.check.queryKey) rules.forEach((r, j) => { const why = keyedRuleProblem(r.kind); if (why) problem(at('rules', j), why); });
      for (const lint of logRuleLints(m.check, m.flap)) warn(at('flap', 'failAfter'), lint);
    }
    if ((!connector && !stages) || !scheduleRaw) return;

    const schedule: MonitorSchedule = {
      everyMs: scheduleRaw.every,
      ...(scheduleRaw.every !== undefined ? { offsetMs: scheduleRaw.offset ?? spreadOffset(m.id, scheduleRaw.every) } : {}),
      cron: scheduleRaw.cron,
      timezone: scheduleRaw.timezone ?? 'UTC',
      jitterMs: scheduleRaw.jitter,
      catchupWindowMs: scheduleRaw.catchupWindow,
    };
    const definition: Omit<MonitorDefinition, 'version'> = {
      id: m.id,
      description: m.description,
      perspective: m.perspective ?? CHECK_PERSPECTIVE[m.check.type],
      pipeline: m.pipeline,
      labels: m.labels,
      runbook: m.runbook,
      connector,
      check: m.check,
      stages,
      ...(m.check.type === 'logs' && m.check.trigger?.archive
        ? {
            archiveTrigger: {
              knownPasswords: Object.fromEntries(Object.entries(raw.archives.sources).map(([k, v]) => [k, v.passwords])),
              limits: { maxEntries: raw.archives.maxEntries, maxBytes: raw.archives.maxBytes, maxRatio: raw.archives.maxRatio },
              intervention: {
                receiver: raw.interventions.receiver ?? notification.routing.receiver,
                remindEveryMs: raw.interventions.remindEvery,
                deadlineMs: raw.interventions.deadline,
                defaultAction: raw.interventions.defaultAction,
              },
            },
          }
        : {}),
      unit,
      rules,
      schedule,
      // Event-like log rules report a one-shot event: they open on their first failing run unless the monitor says otherwise.
      flap: { ...raw.defaults.flap, ...(m.check.type === 'logs' && isEventLikeRule(m.check.rule) ? { failAfter: 1 } : {}), ...m.flap },
      notification,
      // Only when configured, so monitors of configs without a sink keep their version.
      ...(sink ? { sink } : {}),
      ...graph[i],
    };
    const versioned = withVersion(definition);
    out.push(versioned);
    if (mayJoinGroup(versioned, scheduleRaw as { own?: boolean; offset?: number })) joinable.add(m.id);
  });
  return out;
}

/** sinks.elasticsearch, resolved to its connector: an elasticsearch one. */
function resultsSink(raw: PipewatchConfigRaw, problem: Report): ResultsSink | undefined {
  const spec = raw.sinks.elasticsearch;
  if (!spec) return undefined;
  const connector = raw.connectors[spec.connector];
  if (!connector) {
    problem(['sinks', 'elasticsearch', 'connector'], unknownRef('connector', spec.connector, Object.keys(raw.connectors)));
    return undefined;
  }
  if (connector.type !== 'elasticsearch') {
    problem(['sinks', 'elasticsearch', 'connector'], `connector "${spec.connector}" is a ${connector.type} connector; monitor results go to an elasticsearch connector`);
    return undefined;
  }
  return { connector: { id: spec.connector, ...connector }, index: spec.index };
}

const DEFAULT_REPORT_SCHEDULE: ScheduleSpec = { cron: '0 6 * * *', catchupWindow: 3_600_000 };
const DAY_MS = 86_400_000;

/** Each declared pipeline's report: its schedule, period, monitors and the email channels it goes to. */
function reportDefinitions(raw: PipewatchConfigRaw, monitors: MonitorDefinition[], notification: NotificationPolicy, problem: Report): ReportDefinition[] {
  const out: ReportDefinition[] = [];
  for (const [pipelineId, pipeline] of Object.entries(raw.pipelines)) {
    const spec = pipeline.report;
    if (spec && !spec.enabled) continue;
    const at = (...rest: ConfigPath): ConfigPath => ['pipelines', pipelineId, 'report', ...rest];
    const s = spec?.schedule ?? DEFAULT_REPORT_SCHEDULE;
    let channelIds: string[];
    if (spec?.notify) {
      channelIds = spec.notify;
      spec.notify.forEach((ch, j) => {
        const c = raw.channels[ch];
        if (!c) problem(at('notify', j), unknownRef('channel', ch, Object.keys(raw.channels)));
        else if (c.type !== 'email') problem(at('notify', j), `channel "${ch}" is a ${c.type} channel; a report (HTML with charts) goes to email channels only`);
      });
    } else {
      channelIds = raw.defaults.notify.filter((ch) => raw.channels[ch]?.type === 'email');
    }
    const members = monitors.filter((m) => m.pipeline === pipelineId || (m.check.type === 'stageCounts' && m.check.pipeline === pipelineId));
    const definition = {
      pipeline: pipelineId,
      description: pipeline.description,
      schedule: { everyMs: s.every, cron: s.cron, timezone: s.timezone ?? 'UTC', jitterMs: s.jitter, catchupWindowMs: s.catchupWindow },
      periodMs: spec?.period ?? s.every ?? DAY_MS,
      trendPeriods: spec?.trend ?? 7,
      stages: pipeline.stages.map((st) => st.id),
      monitors: members.map((m) => ({ id: m.id, description: m.description, checkType: m.check.type, unit: m.unit })),
      channels: channelIds.flatMap((ch) => (notification.channels[ch]?.type === 'email' ? [notification.channels[ch]!] : [])),
      delivery: notification.delivery,
      judgedWithinMs: windowsJudgedWithinMs(members),
    };
    const version = createHash('sha256').update(stableJson(definition)).digest('hex').slice(0, 16);
    out.push({ ...definition, version });
  }
  return out;
}

/** Routing, receivers, escalations, channels: checked for references and cycles, then shared by every monitor. */
function notificationPolicy(raw: PipewatchConfigRaw, problem: Report): NotificationPolicy {
  const channelIds = Object.keys(raw.channels);
  const checkChannel = (ch: string, path: ConfigPath) => {
    if (!raw.channels[ch]) problem(path, unknownRef('channel', ch, channelIds));
  };
  raw.defaults.notify.forEach((ch, j) => checkChannel(ch, ['defaults', 'notify', j]));

  const receivers: Record<string, Receiver> = {};
  const rootReceiver = raw.routing.receiver ?? 'default';
  if (!raw.receivers[rootReceiver] && rootReceiver === 'default') receivers.default = { id: 'default', notify: raw.defaults.notify };
  for (const [rid, r] of Object.entries(raw.receivers)) {
    r.notify.forEach((ch, j) => checkChannel(ch, ['receivers', rid, 'notify', j]));
    if (r.escalation && !raw.escalations[r.escalation]) {
      problem(['receivers', rid, 'escalation'], unknownRef('escalation policy', r.escalation, Object.keys(raw.escalations)));
    }
    if (r.notify.length === 0 && !r.escalation) problem(['receivers', rid], 'this receiver notifies nobody: give it "notify" channels or an "escalation" policy');
    receivers[rid] = { id: rid, notify: r.notify, escalation: r.escalation };
  }
  if (raw.receivers[NO_RECEIVER]) {
    problem(['receivers', NO_RECEIVER], `"${NO_RECEIVER}" is reserved: a route with receiver: ${NO_RECEIVER} drops what it matches on purpose; give this receiver another name`);
  }
  const receiverIds = Object.keys(receivers);
  const checkReceiver = (rid: string, path: ConfigPath) => {
    if (rid !== NO_RECEIVER && !receivers[rid]) problem(path, unknownRef('receiver', rid, receiverIds));
  };
  if (raw.routing.receiver) checkReceiver(raw.routing.receiver, ['routing', 'receiver']);
  // Alertmanager's root route must name a receiver. Here it may default to defaults.notify, but an
  // empty default in a file that declares channels means alerts no route takes would reach nobody.
  if (!raw.routing.receiver && !raw.receivers.default && raw.defaults.notify.length === 0 && channelIds.length > 0) {
    problem(
      ['routing'],
      `alerts that no route takes would reach nobody: defaults.notify is empty and routing.receiver is not set; write defaults.notify: [${channelIds[0]}], name a receiver in routing.receiver, or write routing.receiver: ${NO_RECEIVER} to drop them on purpose`,
    );
  }
  const intervalIds = Object.keys(raw.timeIntervals);
  const checkIntervals = (names: string[] | undefined, path: ConfigPath) =>
    names?.forEach((n, j) => {
      if (!raw.timeIntervals[n]) problem([...path, j], unknownRef('time interval', n, intervalIds).replace(/^unknown time interval "([^"]*)"/, 'undefined time interval "$1" used in route'));
    });

  const escalations: Record<string, EscalationPolicy> = {};
  for (const [eid, e] of Object.entries(raw.escalations)) {
    e.steps.forEach((step, j) => step.notify.forEach((ch, k) => checkChannel(ch, ['escalations', eid, 'steps', j, 'notify', k])));
    if (e.then && !raw.escalations[e.then]) problem(['escalations', eid, 'then'], unknownRef('escalation policy', e.then, Object.keys(raw.escalations)));
    escalations[eid] = { id: eid, steps: e.steps.map((st) => ({ afterMs: st.after, notify: st.notify })), repeat: e.repeat, then: e.then };
  }
  const cycle = escalationCycle(raw.escalations);
  if (cycle) problem(['escalations', cycle[0]!, 'then'], `escalation policies form a cycle: ${cycle.join(' → ')}`);

  const fallback = raw.notifications.fallback;
  if (fallback) checkChannel(fallback, ['notifications', 'fallback']);
  raw.silences.announce.forEach((ch, j) => checkChannel(ch, ['silences', 'announce', j]));

  const toNode = (r: RouteRaw, parent: Omit<RouteNode, 'matchers' | 'continue' | 'routes'>, path: ConfigPath): RouteNode => {
    if (r.receiver) checkReceiver(r.receiver, [...path, 'receiver']);
    const inherited = {
      receiver: r.receiver ?? parent.receiver,
      groupBy: r.groupBy ?? parent.groupBy,
      groupWaitMs: r.groupWait ?? parent.groupWaitMs,
      groupIntervalMs: r.groupInterval ?? parent.groupIntervalMs,
      repeatIntervalMs: r.repeatInterval ?? parent.repeatIntervalMs,
    };
    // Time intervals apply to the route that names them only (Alertmanager's newRoute does not inherit them).
    checkIntervals(r.muteTimeIntervals, [...path, 'muteTimeIntervals']);
    checkIntervals(r.activeTimeIntervals, [...path, 'activeTimeIntervals']);
    return {
      matchers: r.matchers,
      continue: r.continue,
      ...inherited,
      routes: (r.routes ?? []).map((child, j) => toNode(child, inherited, [...path, 'routes', j])),
      ...(r.muteTimeIntervals?.length ? { muteTimeIntervals: r.muteTimeIntervals } : {}),
      ...(r.activeTimeIntervals?.length ? { activeTimeIntervals: r.activeTimeIntervals } : {}),
    };
  };
  const root = {
    receiver: rootReceiver,
    groupBy: raw.routing.groupBy,
    groupWaitMs: raw.routing.groupWait,
    groupIntervalMs: raw.routing.groupInterval,
    repeatIntervalMs: raw.routing.repeatInterval,
  };
  const routing: RouteNode = {
    ...root,
    matchers: [],
    continue: false,
    routes: raw.routing.routes.map((r, j) => toNode(r, root, ['routing', 'routes', j])),
  };

  return {
    routing,
    receivers,
    escalations,
    channels: Object.fromEntries(Object.entries(raw.channels).map(([cid, c]) => [cid, { id: cid, ...c }])),
    inhibit: raw.inhibit,
    ...(intervalIds.length > 0 ? { timeIntervals: raw.timeIntervals } : {}),
    maintenance: raw.maintenance.map((w) => ({ id: w.id, matchers: w.matchers, cron: w.cron, durationMs: w.duration, timezone: w.timezone, reason: w.reason, owner: w.owner })),
    delivery: {
      initialIntervalMs: raw.notifications.retry.initialInterval,
      maximumIntervalMs: raw.notifications.retry.maximumInterval,
      timeoutMs: raw.notifications.timeout,
      fallback,
      fallbackAfterMs: raw.notifications.fallbackAfter,
    },
    reopenWindowMs: raw.incidents.reopenWindow,
    ackExpiryMs: raw.incidents.acknowledgementExpiry,
  };
}

const SQL_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/;
const ES_INDEX = /^[a-z0-9*][a-z0-9*_.,+-]{0,254}$/;
const ES_FIELD = /^[A-Za-z0-9_@][A-Za-z0-9_@.-]{0,254}$/;

/** Names go into queries: PostgreSQL takes identifiers (quoted later), Elasticsearch index patterns and field paths. */
function checkSourceName(type: NamedConnector['type'], field: string, value: string): string | undefined {
  if (type === 'postgres' && !SQL_NAME.test(value)) {
    return `"${value}" is not a table or column name (letters, digits, "_", optionally schema-qualified like lake.records)`;
  }
  if (type === 'elasticsearch' && field === 'dataset' && !ES_INDEX.test(value)) {
    return `"${value}" is not an Elasticsearch index or pattern (lowercase, digits, "*", "_", "-", ".", ",")`;
  }
  if (type === 'elasticsearch' && field !== 'dataset' && !ES_FIELD.test(value)) {
    return `"${value}" is not an Elasticsearch field name`;
  }
  return undefined;
}

function pipelineStages(raw: PipewatchConfigRaw, pipelineId: string, path: ConfigPath, problem: Report): PipelineStage[] | undefined {
  const pipeline = raw.pipelines[pipelineId];
  if (!pipeline) {
    problem(path, unknownRef('pipeline', pipelineId, Object.keys(raw.pipelines)));
    return undefined;
  }
  const stages: PipelineStage[] = [];
  const seen = new Set<string>();
  pipeline.stages.forEach((s, i) => {
    const at = (...rest: ConfigPath): ConfigPath => ['pipelines', pipelineId, 'stages', i, ...rest];
    if (seen.has(s.id)) problem(at('id'), `duplicate stage id "${s.id}"`);
    seen.add(s.id);
    const spec = raw.connectors[s.connector];
    if (!spec) {
      problem(at('connector'), unknownRef('connector', s.connector, Object.keys(raw.connectors)));
      return;
    }
    for (const field of ['dataset', 'uniqueId', 'timestamp'] as const) {
      const why = checkSourceName(spec.type, field, s[field]);
      if (why) problem(at(field), why);
    }
    if (spec.type === 'elasticsearch' && s.normalise.length > 0) {
      problem(at('normalise'), 'Elasticsearch compares ids as indexed; normalise them with a keyword normalizer in the index mapping instead');
    }
    if (i === 0 && s.expectedRatio !== undefined) problem(at('expectedRatio'), 'the first stage has no previous stage to be compared with');
    stages.push({ id: s.id, connector: { id: s.connector, ...spec }, dataset: s.dataset, uniqueId: s.uniqueId, timestamp: s.timestamp, expectedRatio: s.expectedRatio, tolerance: s.tolerance, normalise: s.normalise });
  });
  return stages.length === pipeline.stages.length ? stages : undefined;
}

function normaliseRule(r: RuleSpec, unit: Unit, problem: Report): Rule {
  const value = (v: number | string, path: ConfigPath): number => {
    if (typeof v === 'number') return v;
    const ms = parseDuration(v);
    if (ms === undefined) {
      problem(path, `"${v}" is neither a number nor a duration such as "15m"`);
      return NaN;
    }
    if (unit !== 'seconds') {
      problem(path, `"${v}" is a duration, but this check measures ${unit}; write a number`);
      return NaN;
    }
    return ms / 1000;
  };
  const base = { severity: r.severity, summary: r.summary };
  const moving = { ...base, direction: r.direction };
  if (r.above !== undefined) return { kind: 'above', threshold: value(r.above, ['above']), ...base };
  if (r.below !== undefined) return { kind: 'below', threshold: value(r.below, ['below']), ...base };
  if (r.equals !== undefined) return { kind: 'equals', threshold: value(r.equals, ['equals']), ...base };
  if (r.outside !== undefined) {
    const low = value(r.outside[0], ['outside', 0]);
    const high = value(r.outside[1], ['outside', 1]);
    if (low > high) problem(['outside'], `the range is written low to high; got [${r.outside[0]}, ${r.outside[1]}]`);
    return { kind: 'outside', range: [low, high], ...base };
  }
  if (r.changeVs !== undefined) return { kind: 'changeVs', baseline: r.changeVs.baseline, percent: r.changeVs.percent, ...moving };
  if (r.rising !== undefined) return { kind: 'rising', runs: r.rising, ...base };
  if (r.percentile !== undefined) {
    return { kind: 'percentile', percentile: { p: r.percentile.p, overMs: r.percentile.over }, threshold: value(r.percentile.above, ['percentile', 'above']), ...base };
  }
  if (r.anomaly !== undefined) {
    const a = r.anomaly;
    return { kind: 'anomaly', anomaly: { sensitivity: a.sensitivity, trainingMs: a.training, minHistory: a.minHistory, seasonality: a.seasonality, minDeviation: a.minDeviation }, ...moving };
  }
  return { kind: 'changePercent', percent: r.changePercent!, ...moving };
}

function unknownRef(kind: string, name: string, known: string[]): string {
  const hint = closest(name, known);
  const list = known.length > 0 ? `declared ${kind}s: ${known.join(', ')}` : `no ${kind}s are declared`;
  return `unknown ${kind} "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; ${list}`;
}

/**
 * Where in its interval a monitor ticks when the config does not say: whole
 * seconds from a hash of its id. Interval schedules all tick on multiples of
 * their interval since the epoch, so without it every 1m monitor starts on
 * the same second — a burst the Temporal scheduler drains slowly enough, at a
 * thousand monitors, to skip ticks (BENCHMARKS.md, "Scale"). Prometheus
 * spreads its scrapes the same way. Stable: the same id keeps its second.
 */
export function spreadOffset(monitorId: string, everyMs: number): number {
  const seconds = Math.floor(everyMs / 1000);
  if (seconds < 2) return 0;
  return (createHash('sha256').update(monitorId).digest().readUInt32BE(0) % seconds) * 1000;
}

/** The content hash that versions a monitor; key order does not matter. */
export function withVersion(definition: Omit<MonitorDefinition, 'version'>): MonitorDefinition {
  const version = createHash('sha256').update(stableJson(definition)).digest('hex').slice(0, 16);
  return { ...definition, version };
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

// ------------------------------------------------------------ error messages

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

function describeIssue(issue: Issue, input: unknown, path: ConfigPath): string {
  const value = valueAt(input, path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = ({ record: 'a mapping', object: 'a mapping', array: 'a list', tuple: 'a list' } as Record<string, string>)[issue.expected] ?? issue.expected;
      // A schema's own words for the type ("a duration such as …") say more than its JSON type.
      const own = issue.message && !issue.message.startsWith('Invalid input') ? issue.message : undefined;
      if (value === undefined) return `required; expected ${own ?? expected}`;
      return `expected ${own ?? expected}, got ${describeValue(value)}`;
    }
    case 'unrecognized_keys': {
      const known = knownKeys(pipewatchConfig, input, path);
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
        const schema = schemaAt(pipewatchConfig, input, at);
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
      return value === undefined ? `required; expected ${expected}` : `expected ${expected}, got ${describeValue(value)}`;
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

function valueAt(input: unknown, path: ConfigPath): unknown {
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
    if (['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch'].includes(d.type)) s = d.innerType as AnySchema;
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

function closest(word: string, candidates: string[]): string | undefined {
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

// ------------------------------------------------------------ source lines

function locateIn(
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
