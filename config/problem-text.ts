// Keeps problem messages readable whatever the file holds: a value quoted back to the operator is cut
// to a couple of hundred characters and says how long it was (a 5 MB string once came back whole).

/** Longest stretch of a user's value quoted in a message. */
export const QUOTE_LIMIT = 200;
/** Longest message as a whole, once values are cut (messages quote a few values at most). */
const MESSAGE_LIMIT = 1_000;

/** The value itself when short, else its start and how long it was. */
export function clipText(text: string, limit = QUOTE_LIMIT): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}… (${text.length.toLocaleString('en-US')} characters)`;
}

/**
 * A message with `value` (the offending value, when it is a string) cut wherever it is quoted, then
 * any other long stretch without spaces cut too, and the whole bounded.
 */
export function clipMessage(message: string, value?: unknown): string {
  let out = message;
  if (typeof value === 'string' && value.length > QUOTE_LIMIT && out.includes(value))
    out = out.split(value).join(clipText(value));
  if (out.length > QUOTE_LIMIT)
    out = out.replace(new RegExp(`[^\\s"…]{${QUOTE_LIMIT + 1},}`, 'g'), (run) => clipText(run));
  return clipText(out, MESSAGE_LIMIT);
}
