// The built-in self-monitor (issue 20, "saturation is never silent"): `pipewatch-schedules`, a `schedules`
// check on pipewatch's own Temporal service (connectors/temporal/), made from the config's `selfMonitor`
// settings and the project's routing like any monitor, so its alert reaches a person the way others do.
// It is kept apart from `config.monitors` (LoadedConfig.selfMonitors): sync, doctor and the status page add
// it; what the user declared stays exactly what they wrote.
import { monitor as monitorSchema, type PipewatchConfigRaw } from './schema.js';
import type { MonitorDefinition } from './model.js';

export const SELF_MONITOR_ID = 'pipewatch-schedules';

/**
 * The self-monitor's id in a project: `pipewatch-schedules` for the default project, `pipewatch-schedules-<project>`
 * for any other, so projects sharing a namespace each own theirs (a monitor's schedule id is namespace-wide).
 */
export function selfMonitorId(project: string): string {
  return project === 'default' ? SELF_MONITOR_ID : `${SELF_MONITOR_ID}-${project}`.slice(0, 63);
}

/** Whether a monitor id is a project's built-in self-monitor. */
export function isSelfMonitorId(id: string): boolean {
  return id === SELF_MONITOR_ID || id.startsWith(`${SELF_MONITOR_ID}-`);
}
/** The connector the self-monitor runs on: the worker's own TEMPORAL_* settings. */
export const SELF_CONNECTOR_ID = 'pipewatch-temporal';

type Report = (path: Array<string | number>, message: string) => void;

/**
 * The self-monitor's definition, or none when `selfMonitor.enabled` is false. `build` normalises a config's
 * monitors as the loader does (routing, flap, labels, version). A declared monitor with its id is refused.
 */
export function selfMonitors(
  raw: PipewatchConfigRaw,
  build: (raw: PipewatchConfigRaw) => MonitorDefinition[],
  problem: Report,
): MonitorDefinition[] {
  const settings = raw.selfMonitor;
  if (!settings.enabled) return [];
  const id = selfMonitorId(raw.project);
  const taken = raw.monitors.findIndex((m) => m.id === id);
  if (taken >= 0) {
    problem(
      ['monitors', taken, 'id'],
      `"${id}" is the built-in self-monitor's id: rename this monitor, or set selfMonitor: { enabled: false }`,
    );
    return [];
  }
  const declared = monitorSchema.parse({
    id,
    description:
      "pipewatch's own schedules: ticks skipped, missed or started late (a saturated Temporal server or stuck runs)",
    perspective: 'services',
    connector: SELF_CONNECTOR_ID,
    check: {
      type: 'schedules',
      window: `${settings.window}ms`,
      lateAfter: `${settings.lateAfter}ms`,
      project: raw.project,
    },
    schedule: { every: `${settings.every}ms` },
    rules: [{ above: 0, severity: settings.severity }],
    // Saturation is told at once, and resolved once a window passes with every tick on time.
    flap: { failAfter: 1, resolveAfter: 1 },
    labels: { component: 'pipewatch' },
  });
  const connectors = { ...raw.connectors, [SELF_CONNECTOR_ID]: { type: 'temporal' as const } };
  return build({ ...raw, connectors, monitors: [declared] });
}

/** What sync schedules: the declared monitors (or the ones given) and the built-in ones. */
export function withSelfMonitors(
  config: { monitors: MonitorDefinition[]; selfMonitors?: MonitorDefinition[] },
  monitors = config.monitors,
): MonitorDefinition[] {
  return [...monitors, ...(config.selfMonitors ?? [])];
}
