// A question for an operator, as a durable workflow: a pipeline that needs a
// human (an archive password, a stalled stage) waits here instead of failing.
// Operators are told at once, reminded, escalated to while nobody answers;
// at the deadline the configured default happens. Answers come as an Update
// (checked on the spot — a wrong password is refused with a reason and the
// question stays open) or as a Signal (for `temporal workflow signal` and the
// Web UI). Every answer is audited — who, when, which answer — never the input.
import {
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';
import type { NotificationPolicy } from '../config/model.js';
import { formatDuration } from '../config/duration.js';
import { escalationPlan } from '../evaluation/escalation.js';
import type { Activities } from '../activities/index.js';
import type { InterventionAuditEntry } from '../store/history.js';
import { INTERVENTION_STATE, PIPELINE } from './search-attributes.js';
import { HEARTBEAT_TIMEOUT_MS } from './heartbeats.js';

export type Answer = 'provide' | 'approve' | 'skip' | 'retry' | 'abort' | 'resume';

/** How a provided input is checked before it is accepted (an activity does it). */
export type VerifySpec = {
  kind: 'archivePassword';
  archive: string;
  destination: string;
  limits: { maxEntries: number; maxBytes: number; maxRatio: number };
};

export interface InterventionInput {
  kind: string;
  title: string;
  question: string;
  context: { pipeline?: string; stage?: string; item?: string; evidence?: string[] };
  answers: Answer[];
  /** The input of a "provide" answer is a secret: never stored, returned or shown. */
  secretInput?: boolean;
  verify?: VerifySpec;
  receiver: string;
  policy: NotificationPolicy;
  remindEveryMs: number;
  deadlineMs: number;
  defaultAction: Answer;
}

export interface InterventionAnswer {
  answer: Answer;
  by: string;
  note?: string;
  /** For "provide": the password or value asked for. */
  input?: string;
}

export interface InterventionResult {
  answer: Answer;
  by: string;
  at: string;
  note?: string;
  /** What verifying the input produced (e.g. the files extracted), never the input. */
  outcome?: Record<string, unknown>;
  /** Nobody answered before the deadline. */
  defaulted: boolean;
}

export interface InterventionView {
  state: 'open' | 'answered';
  kind: string;
  title: string;
  question: string;
  context: InterventionInput['context'];
  answers: Answer[];
  secretInput: boolean;
  openedAt: string;
  deadlineAt: string;
  defaultAction: Answer;
  audit: InterventionAuditEntry[];
  result?: InterventionResult;
}

export const respondUpdate = defineUpdate<InterventionResult, [InterventionAnswer]>('respond');
export const respondSignal = defineSignal<[InterventionAnswer]>('respond');
export const interventionQuery = defineQuery<InterventionView>('request');

export async function interventionWorkflow(input: InterventionInput): Promise<InterventionResult> {
  const { deliverNotification } = proxyActivities<Activities>({
    startToCloseTimeout: input.policy.delivery.timeoutMs,
    heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
    retry: {
      initialInterval: input.policy.delivery.initialIntervalMs,
      maximumInterval: input.policy.delivery.maximumIntervalMs,
    },
  });
  const { recordInterventionAudit } = proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: { maximumInterval: '30s' },
  });
  // Checking a password means extracting the archive: give it time, and no retry of a wrong one.
  const { verifyInterventionInput } = proxyActivities<Activities>({
    startToCloseTimeout: '30m',
    heartbeatTimeout: '15s',
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['UnsafeArchiveError'] },
  });

  const info = workflowInfo();
  const openedAt = Date.now();
  const deadline = openedAt + input.deadlineMs;
  const audit: InterventionAuditEntry[] = [];
  const signalled: InterventionAnswer[] = [];
  let result: InterventionResult | undefined;
  let checking = false;
  let seq = 0;

  const view = (): InterventionView => ({
    state: result ? 'answered' : 'open',
    kind: input.kind,
    title: input.title,
    question: input.question,
    context: input.context,
    answers: input.answers,
    secretInput: Boolean(input.secretInput),
    openedAt: new Date(openedAt).toISOString(),
    deadlineAt: new Date(deadline).toISOString(),
    defaultAction: input.defaultAction,
    audit,
    result,
  });

  // The channel adds the flags the operator's `temporal` needs here (the codec endpoint) when it renders this.
  const temporalCommands = [
    `workflow update execute --workflow-id '${info.workflowId}' --name respond --input '{"answer":"${input.answers.find((a) => a !== 'provide') ?? input.answers[0]}","by":"<you>"}'`,
  ];
  const tell = async (title: string, text: string, channels: string[]) => {
    const n = ++seq;
    await Promise.all(
      [...new Set(channels)]
        .filter((c) => input.policy.channels[c])
        .map((c) =>
          deliverNotification({
            channel: input.policy.channels[c]!,
            notification: { kind: 'notice', title, text, temporalCommands },
            idempotencyKey: `${info.workflowId}/${info.firstExecutionRunId}/${n}/${c}`,
            monitorIds: [],
          }),
        ),
    );
  };
  const how = `Answer with: pipewatch intervene respond '${info.workflowId}' --answer <${input.answers.join('|')}> --by <you>${input.secretInput ? ' (the password is read from the terminal, never from the command line)' : ''}`;
  const describe = () =>
    [
      input.question,
      ...Object.entries(input.context)
        .filter(([k, v]) => v !== undefined && k !== 'evidence')
        .map(([k, v]) => `${k}: ${v}`),
      ...(input.context.evidence ?? []).map((e) => `evidence: ${e}`),
      `If nobody answers by ${new Date(deadline).toISOString()}, pipewatch will ${input.defaultAction}.`,
      how,
    ].join('\n');

  const audited = async (entry: InterventionAuditEntry) => {
    audit.push(entry);
    await recordInterventionAudit({ interventionId: info.workflowId, entry });
  };

  /** Checks and applies one answer; returns a refusal reason, or undefined when it was taken. */
  const handle = async (a: InterventionAnswer, via: 'update' | 'signal'): Promise<string | undefined> => {
    const at = new Date(Date.now()).toISOString();
    if (result) return `already answered by ${result.by} (${result.answer})`;
    let outcome: Record<string, unknown> | undefined;
    if (a.answer === 'provide' && input.verify) {
      checking = true;
      try {
        const checked = await verifyInterventionInput({ verify: input.verify, input: a.input ?? '' });
        if (!checked.ok) {
          await audited({ at, by: a.by, answer: a.answer, accepted: false, reason: checked.message, via });
          return checked.message;
        }
        outcome = checked.outcome;
      } finally {
        checking = false;
      }
    }
    result = { answer: a.answer, by: a.by, at, note: a.note, outcome, defaulted: false };
    await audited({ at, by: a.by, answer: a.answer, accepted: true, via });
    return undefined;
  };

  setHandler(interventionQuery, view);
  setHandler(
    respondUpdate,
    async (a) => {
      const refused = await handle(a, 'update');
      // A refusal fails this update only; the question stays open for the next answer.
      if (refused) throw ApplicationFailure.create({ message: refused, type: 'AnswerRefused', nonRetryable: true });
      return result!;
    },
    {
      validator: (a) => {
        if (!a || typeof a.by !== 'string' || !a.by.trim()) throw new Error('say who answers: "by"');
        if (!input.answers.includes(a.answer))
          throw new Error(
            `"${a.answer}" is not an answer to this question; answer one of: ${input.answers.join(', ')}`,
          );
        if (a.answer === 'provide' && !a.input)
          throw new Error(`"provide" needs the ${input.secretInput ? 'password' : 'value'}`);
        if (result) throw new Error(`already answered by ${result.by} (${result.answer}) at ${result.at}`);
        if (checking) throw new Error('another answer is being checked right now; try again in a moment');
      },
    },
  );
  setHandler(respondSignal, (a) => {
    if (a && typeof a.by === 'string' && input.answers.includes(a.answer)) signalled.push(a);
  });

  upsertSearchAttributes([
    { key: INTERVENTION_STATE, value: 'open' },
    ...(input.context.pipeline ? [{ key: PIPELINE, value: input.context.pipeline }] : []),
  ]);
  const receiver = input.policy.receivers[input.receiver] ?? { id: input.receiver, notify: [] };
  await tell(`needs an operator: ${input.title}`, describe(), receiver.notify);

  const steps = receiver.escalation ? escalationPlan(input.policy.escalations, receiver.escalation) : [];
  let step = 0;
  let nextReminder = openedAt + input.remindEveryMs;
  while (!result) {
    const wake = Math.min(deadline, nextReminder, steps[step] ? openedAt + steps[step]!.offsetMs : Infinity);
    await condition(() => result !== undefined || (signalled.length > 0 && !checking), Math.max(1, wake - Date.now()));
    while (!result && signalled.length > 0) {
      const a = signalled.shift()!;
      const refused = await handle(a, 'signal');
      if (refused)
        await tell(
          `answer refused: ${input.title}`,
          `${a.by} answered "${a.answer}" by signal, which was refused: ${refused}\nThe question stays open.\n${how}`,
          receiver.notify,
        );
    }
    if (result) break;
    const now = Date.now();
    if (now >= deadline) {
      result = {
        answer: input.defaultAction,
        by: 'pipewatch (deadline)',
        at: new Date(now).toISOString(),
        defaulted: true,
      };
      await audited({ at: result.at, by: result.by, answer: result.answer, accepted: true, via: 'deadline' });
      break;
    }
    while (steps[step] && now >= openedAt + steps[step]!.offsetMs) {
      await tell(`unanswered for ${formatDuration(now - openedAt)}: ${input.title}`, describe(), steps[step]!.notify);
      step++;
    }
    if (now >= nextReminder) {
      await tell(`still waiting for an operator: ${input.title}`, describe(), receiver.notify);
      nextReminder = now + input.remindEveryMs;
    }
  }

  upsertSearchAttributes([{ key: INTERVENTION_STATE, value: 'answered' }]);
  await tell(
    `answered: ${input.title}`,
    `${result.by} answered "${result.answer}"${result.note ? `: ${result.note}` : ''}.`,
    receiver.notify,
  );
  await condition(allHandlersFinished);
  return result;
}
