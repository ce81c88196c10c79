// For pipeline authors: a stage that can need a human. Wrap the stage's work;
// when it fails in a way classified as needing a person (by failure type), the
// pipeline pauses on an intervention — retry, skip the item, or abort —
// instead of failing or retrying forever. Use it inside your own workflows:
//
//   const parsed = await humanStep('parse', () => parse(item), {
//     needsHuman: ['MalformedRecord'], intervention: { … who to ask, deadline … },
//   });
//   if (parsed === SKIPPED) return;
import { ActivityFailure, ApplicationFailure, executeChild, workflowInfo } from '@temporalio/workflow';
import { interventionWorkflow, type InterventionInput } from './intervention.js';

export const SKIPPED = Symbol('skipped by an operator');

export interface HumanStepOptions {
  /** Failure types (ApplicationFailure.type) that need a person. */
  needsHuman: string[];
  intervention: Omit<InterventionInput, 'kind' | 'title' | 'question' | 'answers' | 'secretInput' | 'verify'>;
}

function failureType(err: unknown): { type?: string; message: string } {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  return e instanceof ApplicationFailure
    ? { type: e.type ?? undefined, message: e.message }
    : { message: e instanceof Error ? e.message : String(e) };
}

export async function humanStep<T>(
  stage: string,
  run: () => Promise<T>,
  options: HumanStepOptions,
): Promise<T | typeof SKIPPED> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const { type, message } = failureType(err);
      if (!type || !options.needsHuman.includes(type)) throw err;
      const answer = await executeChild(interventionWorkflow, {
        workflowId: `pipewatch-intervention/${workflowInfo().workflowId}/${stage}/${attempt}`,
        args: [
          {
            ...options.intervention,
            kind: 'stalled-stage',
            title: `${stage} needs a decision`,
            question: `Stage ${stage} failed (${type}): ${message}. Retry it, skip this item, or abort the pipeline?`,
            answers: ['retry', 'skip', 'abort'],
            context: { ...options.intervention.context, stage },
          },
        ],
      });
      if (answer.answer === 'skip') return SKIPPED;
      if (answer.answer === 'abort')
        throw ApplicationFailure.create({
          message: `${stage} aborted by ${answer.by}`,
          type: 'Aborted',
          nonRetryable: true,
        });
    }
  }
}
