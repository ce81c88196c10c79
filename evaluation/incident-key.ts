// The name of an incident: pipewatch-incident/<receiver>/<label=value,…> over the group-by labels of
// the route it came from. Operators read and type these ids, so plain values stay as they are; "%",
// "," and "=" inside a label name or value are percent-encoded, so two different groups can never
// share an id ({a: "1,b=2"} and {a: "1", b: "2"} used to). Receiver ids hold no "/". Pure.

const SPECIAL = /[%,=]/g;

/** A label name or value as it appears in an incident id: "%", "," and "=" percent-encoded, nothing else touched. */
export function encodeKeyPart(text: string): string {
  return text.replace(SPECIAL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The group part of an incident id: `name=value` per group-by label, in order, joined by ",". */
export function groupKey(pairs: Array<[string, string]>): string {
  return pairs.map(([label, value]) => `${encodeKeyPart(label)}=${encodeKeyPart(value)}`).join(',');
}

/** The incident workflow id of a receiver's group. */
export function incidentWorkflowId(receiver: string, pairs: Array<[string, string]>): string {
  return `pipewatch-incident/${receiver}/${groupKey(pairs)}`;
}
