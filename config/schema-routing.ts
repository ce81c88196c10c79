// Routing and incidents in pipewatch.yaml, as Alertmanager's config has them: label matchers, the
// routing tree, receivers, escalation policies, inhibition, maintenance windows and time intervals.
import { z } from 'zod';
import { cronProblem, timeZoneProblem } from '../evaluation/cron.js';
import { parseMatcher, parseMatchers, type Matcher } from '../evaluation/matchers.js';
import { GROUP_BY_ALL } from '../evaluation/routing.js';
import { parseTimeInterval, type TimeIntervalSpec } from '../evaluation/time-intervals.js';
import { duration, id } from './schema-fields.js';

export const matcher = z
  .string()
  .transform((text, ctx) => {
    const m = parseMatcher(text);
    if (typeof m === 'string') {
      ctx.addIssue({ code: 'custom', message: m });
      return z.NEVER;
    }
    return m;
  })
  .meta({ description: "A label matcher: 'pipeline = intel', 'severity =~ \"warning|critical\"', 'team != lake'." });

/**
 * Matchers as Alertmanager's config takes them (its `matchers:`): a list whose items each hold one
 * matcher or several separated by commas, with or without braces; all must match. At least `min`.
 */
export function matcherList(min = 0) {
  return z
    .array(
      z.string().meta({
        description: "A label matcher: 'pipeline = intel', 'severity =~ \"warning|critical\"', 'team != lake'.",
      }),
    )
    .min(min)
    .transform((items, ctx) => {
      const out: Matcher[] = [];
      items.forEach((text, i) => {
        const parsed = parseMatchers(text);
        if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', path: [i], message: parsed });
        else out.push(...parsed);
      });
      if (out.length < min)
        ctx.addIssue({
          code: 'custom',
          message: `at least ${min} matcher is needed here, e.g. ['severity = critical']`,
        });
      return out;
    });
}

export const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'a label name (letters, digits, "_" and ".")');

// group_by as Alertmanager reads it: label names, each once, or '...' alone for every label.
const groupByList = z
  .array(
    z.string().refine((l) => l === GROUP_BY_ALL || /^[A-Za-z_][A-Za-z0-9_.]*$/.test(l), {
      error: (issue) =>
        `invalid label name ${JSON.stringify(issue.input)} in groupBy; write a label name (letters, digits, "_" and ".") or '...' for every label`,
    }),
  )
  .superRefine((labels, ctx) => {
    if (labels.includes(GROUP_BY_ALL) && labels.length > 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          "cannot have wildcard groupBy ('...') and other labels at the same time; write groupBy: ['...'] alone to group by every label, or list the labels",
      });
    }
    const seen = new Set<string>();
    labels.forEach((l, i) => {
      if (seen.has(l))
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `duplicated label "${l}" in groupBy; list each label once`,
        });
      seen.add(l);
    });
  });

// Alertmanager refuses zero group_interval and repeat_interval: a zero would send in a loop.
const positiveInterval = (field: 'groupInterval' | 'repeatInterval', example: string) =>
  duration.refine((ms) => ms > 0, { error: `${field} cannot be zero; write how long to wait, e.g. ${example}` });

const timeIntervalNames = (what: string) =>
  z
    .array(id)
    .optional()
    .meta({ description: `Names of timeIntervals ${what} (not inherited by child routes, as in Alertmanager).` });

export interface RouteRaw {
  matchers: Matcher[];
  receiver?: string;
  groupBy?: string[];
  groupWait?: number;
  groupInterval?: number;
  repeatInterval?: number;
  continue: boolean;
  muteTimeIntervals?: string[];
  activeTimeIntervals?: string[];
  routes?: RouteRaw[];
}

export const route: z.ZodType<RouteRaw> = z.lazy(() =>
  z.strictObject({
    matchers: matcherList().default([]),
    receiver: id.optional().meta({
      description: 'Receiver of the alerts this route takes; "none" drops them on purpose. Default: the parent\'s.',
    }),
    groupBy: groupByList
      .optional()
      .meta({ description: "Labels whose values form one incident; ['...'] for every label. Default: the parent's." }),
    groupWait: duration.optional(),
    groupInterval: positiveInterval('groupInterval', '5m').optional(),
    repeatInterval: positiveInterval('repeatInterval', '4h').optional(),
    continue: z
      .boolean()
      .default(false)
      .meta({ description: 'Keep trying later sibling routes after this one matched.' }),
    muteTimeIntervals: timeIntervalNames('in which this route sends nothing'),
    activeTimeIntervals: timeIntervalNames('outside all of which this route sends nothing'),
    routes: z.array(route).optional(),
  }),
);

export const routing = z
  .strictObject({
    receiver: id.optional().meta({
      description:
        'Receiver of alerts no route claims; default: "default", made from defaults.notify; "none" drops them on purpose.',
    }),
    groupBy: groupByList
      .default(['monitor'])
      .meta({ description: "Alerts with the same values of these labels form one incident; ['...'] for every label." }),
    groupWait: duration
      .prefault('30s')
      .meta({ description: 'How long a new incident collects alerts before the first message.' }),
    groupInterval: positiveInterval('groupInterval', '5m')
      .prefault('5m')
      .meta({ description: 'How long after a message changes to the incident are sent.' }),
    repeatInterval: positiveInterval('repeatInterval', '4h')
      .prefault('4h')
      .meta({ description: 'How often an unacknowledged incident is repeated.' }),
    routes: z.array(route).default([]),
    // Alertmanager refuses these on the root route; accepted here only to say what to write instead.
    matchers: z
      .array(z.string())
      .optional()
      .meta({ description: 'Not on the root route: it receives every alert. Put matchers on a route under routes.' }),
    continue: z.boolean().optional().meta({ description: 'Not on the root route: it has no siblings.' }),
    muteTimeIntervals: z.array(z.string()).optional().meta({
      description: 'Not on the root route: put it on a route under routes (one without matchers takes every alert).',
    }),
    activeTimeIntervals: z.array(z.string()).optional().meta({
      description: 'Not on the root route: put it on a route under routes (one without matchers takes every alert).',
    }),
  })
  .superRefine((root, ctx) => {
    if (root.matchers !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['matchers'],
        message:
          'the root route must not have any matchers: it receives every alert (as in Alertmanager); put them on a route under routing.routes',
      });
    }
    if (root.continue !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['continue'],
        message: 'cannot have continue in the root route: it has no siblings; remove it',
      });
    for (const field of ['muteTimeIntervals', 'activeTimeIntervals'] as const) {
      if (root[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `the root route must not have any ${field === 'muteTimeIntervals' ? 'mute' : 'active'} time intervals (as in Alertmanager); put ${field} on a route under routing.routes — one without matchers takes every alert`,
        });
      }
    }
  })
  .prefault({});

export const receiver = z
  .strictObject({
    notify: z
      .array(id)
      .default([])
      .meta({ description: 'Channels told when the incident opens, changes, repeats and resolves.' }),
    escalation: id
      .optional()
      .meta({ description: 'Escalation policy that runs while the incident is unacknowledged.' }),
  })
  .meta({ description: 'Who hears about an incident.' });

export const escalationPolicy = z.strictObject({
  steps: z
    .array(
      z.strictObject({
        after: duration.meta({ description: 'After the previous step (the first: after the incident opened).' }),
        notify: z.array(id).min(1),
      }),
    )
    .min(1, 'an escalation policy needs at least one step'),
  repeat: z
    .int()
    .min(0)
    .max(100)
    .default(0)
    .meta({ description: 'How many more times the steps run after the first pass.' }),
  then: id.optional().meta({ description: 'The policy that takes over when this one is exhausted.' }),
});

export const inhibitRule = z
  .strictObject({
    name: z.string().min(1).optional().meta({ description: 'Shown with the alerts this rule mutes.' }),
    source: matcherList(1),
    target: matcherList(1),
    equal: z.array(labelName).default([]).meta({ description: 'Labels that must be equal on source and target.' }),
  })
  .meta({
    description: 'While an alert matching source fires, alerts matching target (with equal labels) are not sent.',
  });

export const maintenanceWindow = z
  .strictObject({
    id,
    matchers: matcherList().default([]),
    cron: z.string().superRefine((text, ctx) => {
      const problem = cronProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    duration,
    timezone: z.string().default('UTC'),
    reason: z.string().min(1),
    owner: z.string().min(1),
  })
  .superRefine((w, ctx) => {
    const zoneProblem = timeZoneProblem(w.timezone);
    if (zoneProblem) ctx.addIssue({ code: 'custom', path: ['timezone'], message: zoneProblem });
  })
  .meta({ description: 'A recurring window (cron start + duration) in which matching alerts are not sent.' });

// Alertmanager's time_intervals entry, fields in camelCase; parsed by evaluation/time-intervals.ts.
const rangeList = (example: string) =>
  z
    .array(z.union([z.string(), z.int()]))
    .optional()
    .meta({ description: `Ranges such as ${example}.` });
export const timeInterval = z
  .strictObject({
    times: z
      .array(z.strictObject({ startTime: z.string().optional(), endTime: z.string().optional() }))
      .optional()
      .meta({ description: 'Times of day [startTime, endTime), "HH:MM" up to "24:00".' }),
    weekdays: rangeList("'monday:friday' or 'sunday'"),
    daysOfMonth: rangeList("'1:5' or '-3:-1' (the last three days)"),
    months: rangeList("'january:march' or '1:3'"),
    years: rangeList("'2026:2028'"),
    location: z.string().optional().meta({ description: 'IANA time zone the fields are read in; default UTC.' }),
  })
  .transform((spec, ctx) => {
    const parsed = parseTimeInterval(spec as TimeIntervalSpec);
    if (!Array.isArray(parsed)) return parsed;
    for (const p of parsed) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    return z.NEVER;
  })
  .meta({ description: 'Every field given must match; an absent field matches anything.' });
