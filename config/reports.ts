// Each declared pipeline's periodic report (config pipelines.<id>.report): its schedule, period,
// monitors and the email channels it goes to, versioned by content like a monitor.
import { createHash } from 'node:crypto';
import { windowsJudgedWithinMs } from '../reports/period.js';
import type { MonitorDefinition, NotificationPolicy, ReportDefinition } from './model.js';
import { stableJson } from './monitors.js';
import { unknownRef, type ConfigPath, type Report } from './problems.js';
import type { PipewatchConfigRaw, ScheduleSpec } from './schema.js';

const DEFAULT_REPORT_SCHEDULE: ScheduleSpec = { cron: '0 6 * * *', catchupWindow: 3_600_000 };
const DAY_MS = 86_400_000;

/** Each declared pipeline's report: its schedule, period, monitors and the email channels it goes to. */
export function reportDefinitions(
  raw: PipewatchConfigRaw,
  monitors: MonitorDefinition[],
  notification: NotificationPolicy,
  problem: Report,
): ReportDefinition[] {
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
        else if (c.type !== 'email')
          problem(
            at('notify', j),
            `channel "${ch}" is a ${c.type} channel; a report (HTML with charts) goes to email channels only`,
          );
      });
    } else {
      channelIds = raw.defaults.notify.filter((ch) => raw.channels[ch]?.type === 'email');
    }
    const members = monitors.filter(
      (m) => m.pipeline === pipelineId || (m.check.type === 'stageCounts' && m.check.pipeline === pipelineId),
    );
    const definition = {
      pipeline: pipelineId,
      description: pipeline.description,
      schedule: {
        everyMs: s.every,
        cron: s.cron,
        timezone: s.timezone ?? 'UTC',
        jitterMs: s.jitter,
        catchupWindowMs: s.catchupWindow,
      },
      periodMs: spec?.period ?? s.every ?? DAY_MS,
      trendPeriods: spec?.trend ?? 7,
      stages: pipeline.stages.map((st) => st.id),
      monitors: members.map((m) => ({ id: m.id, description: m.description, checkType: m.check.type, unit: m.unit })),
      channels: channelIds.flatMap((ch) =>
        notification.channels[ch]?.type === 'email' ? [notification.channels[ch]!] : [],
      ),
      delivery: notification.delivery,
      judgedWithinMs: windowsJudgedWithinMs(members),
    };
    const version = createHash('sha256').update(stableJson(definition)).digest('hex').slice(0, 16);
    out.push({ ...definition, version });
  }
  return out;
}
