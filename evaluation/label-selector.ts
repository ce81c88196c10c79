// Kubernetes label selectors ("app=crawler,tier!=cache,env in (prod,stage),!canary"):
// parsed once when the configuration loads, sent to the API server as written,
// and evaluated here for objects the server cannot filter (the objects events
// refer to). Same grammar as k8s.io/apimachinery/pkg/labels.

export type Requirement =
  { key: string; op: 'exists' | 'notExists' } | { key: string; op: 'in' | 'notIn'; values: string[] };

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside parentheses. */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((t) => t.trim());
}

/** The requirements of a selector, or an error message saying what is wrong. An empty selector selects everything. */
export function parseLabelSelector(text: string): Requirement[] | string {
  if (text.trim() === '') return [];
  const requirements: Requirement[] = [];
  for (const term of terms(text)) {
    let m: RegExpExecArray | null;
    let requirement: Requirement;
    if ((m = /^!\s*(\S+)$/.exec(term))) requirement = { key: m[1]!, op: 'notExists' };
    else if ((m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(term)))
      requirement = { key: m[1]!, op: m[2] === '!=' ? 'notIn' : 'in', values: [m[3]!] };
    else if ((m = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term))) {
      const values = m[3]!.split(',').map((v) => v.trim());
      requirement = { key: m[1]!, op: m[2] === 'in' ? 'in' : 'notIn', values };
    } else if ((m = /^(\S+)$/.exec(term))) requirement = { key: m[1]!, op: 'exists' };
    else
      return `"${term}" is not a label requirement; write it like app=crawler, tier!=cache, env in (prod,stage), canary or !canary`;
    if (!KEY.test(requirement.key)) return `"${requirement.key}" is not a valid label key`;
    if ('values' in requirement) {
      const bad = requirement.values.find((v) => !VALUE.test(v));
      if (bad !== undefined) return `"${bad}" is not a valid label value`;
    }
    requirements.push(requirement);
  }
  return requirements;
}

export function selectorMatches(requirements: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notExists':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notIn':
        return !has || !r.values.includes(l[r.key]!);
    }
  });
}
