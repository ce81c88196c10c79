// What makes a silence acceptable, as Alertmanager's silence validation (silence.go validateSilence)
// decides it, in pipewatch's terms: the checks `pipewatch silence add` makes before it contacts
// anything, and the silences workflow's Update validator makes for every other client. Pure.
import { formatMatcher, matcherProblem, matchesEmpty, parseMatchers, type Matcher } from './matchers.js';

/**
 * The matchers of a silence from what an operator typed (each text may hold several: `a=b, c=~"d"`),
 * checked as Alertmanager's validateSilence checks them: at least one matcher, each valid, and not
 * all of them matching the empty string (such a silence would hold back every alert). Returns the
 * matchers, or a message that says what to write instead.
 */
export function silenceMatchers(texts: unknown): Matcher[] | string {
  if (!Array.isArray(texts) || texts.length === 0) return NO_MATCHERS;
  const matchers: Matcher[] = [];
  for (const t of texts) {
    if (typeof t !== 'string') return `a matcher is text such as 'pipeline = intel', not ${JSON.stringify(t)}`;
    const parsed = parseMatchers(t);
    if (typeof parsed === 'string') return parsed;
    matchers.push(...parsed);
  }
  return silenceMatchersProblem(matchers) ?? matchers;
}

const NO_MATCHERS = "a silence needs at least one matcher, e.g. --match 'pipeline = intel'";

/** What is wrong with a silence's matchers (Alertmanager's validateSilence), or undefined. */
export function silenceMatchersProblem(matchers: Matcher[]): string | undefined {
  if (matchers.length === 0) return NO_MATCHERS;
  for (const m of matchers) {
    const problem = matcherProblem(m);
    if (problem) return `${formatMatcher(m)}: ${problem}`;
  }
  if (matchers.every(matchesEmpty)) {
    return (
      `${matchers.map(formatMatcher).join(', ')} would silence every alert: each matcher also matches an alert without the label ` +
      `(a missing label reads as ""); add one that needs a value, e.g. 'pipeline = intel', or use != / !~ to exclude`
    );
  }
  return undefined;
}

/** A request to add a silence, as the CLI and the silences workflow's validator check it. */
export interface SilenceRequestFields {
  matchers: unknown;
  durationMs: unknown;
  startsAt?: unknown;
  createdBy?: unknown;
  reason?: unknown;
}

/** What is wrong with a request for a silence, or undefined; the same checks at the CLI and in the workflow. */
export function silenceRequestProblem(request: SilenceRequestFields): string | undefined {
  if (typeof request.createdBy !== 'string' || !request.createdBy.trim())
    return 'say who silences: createdBy (--by <name>)';
  if (typeof request.reason !== 'string' || !request.reason.trim())
    return 'give a reason, so others know why alerts are quiet (--reason <text>)';
  const matchers = silenceMatchers(request.matchers);
  if (typeof matchers === 'string') return matchers;
  // Alertmanager refuses an end before the start; a silence of no length holds nothing back either.
  if (typeof request.durationMs !== 'number' || !(request.durationMs > 0) || !Number.isFinite(request.durationMs)) {
    return 'the duration must be positive, e.g. --for 2h (a silence ends after it starts)';
  }
  if (
    request.startsAt !== undefined &&
    (typeof request.startsAt !== 'string' || Number.isNaN(Date.parse(request.startsAt)))
  ) {
    return `startsAt ${JSON.stringify(request.startsAt)} is not a time; write an ISO time such as 2026-11-26T11:00:00Z`;
  }
  return undefined;
}
