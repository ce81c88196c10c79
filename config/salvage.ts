// The well-formed part of a configuration that failed its schema, so that reference checks
// (unknown connector, duplicate id, unknown channel …) run in the same pass as the schema and the
// operator sees every problem at once. Each schema issue removes the smallest unit that contains
// it — an unknown key, a rule, a monitor, a connector, a route … — and the rest is parsed again,
// a few rounds at most. Reference problems found on what is left are reported at their original
// paths (array indices are mapped back), and those caused by a removed part are dropped: a
// monitor's connector that was itself refused is not also "unknown".
import type { z } from 'zod';

export type Path = Array<string | number>;

interface IssueLike {
  code: string;
  path: PropertyKey[];
  keys?: string[];
}

export interface Salvaged<T> {
  /** The well-formed part, parsed. */
  data: T;
  /** A path in `data` → the same place in the file as written (indices before removals). */
  originalPath(path: Path): Path;
  /**
   * Whether a problem only exists because part of the file was removed: a reference to a removed
   * entry, or a problem at (or inside) a removed part, whose schema error is reported already.
   * `path` is the problem's original path.
   */
  causedByRemoval(message: string, path: Path): boolean;
}

/** Collections whose entries are referred to by name, and the word their references use. */
const NAMED: Record<string, string> = {
  connectors: 'connector',
  channels: 'channel',
  pipelines: 'pipeline',
  receivers: 'receiver',
  escalations: 'escalation policy',
};
/**
 * Fields of a monitor whose removal leaves the rest meaningful (references and rules still checkable);
 * without its schedule a monitor falls back to defaults.schedule, and a "no schedule" at the removed
 * place is dropped with the other problems inside removed parts.
 */
const MONITOR_OPTIONAL = new Set(['description', 'perspective', 'pipeline', 'labels', 'runbook', 'flap', 'schedule']);
const ROUNDS = 6;

export function salvage<T>(schema: z.ZodType<T>, input: unknown, issues: IssueLike[]): Salvaged<T> | undefined {
  const copy = structuredClone(input) as Record<string, unknown>;
  // For each array that lost elements: the original index of each remaining element.
  const origins = new WeakMap<unknown[], number[]>();
  const removedNames = new Set<string>();
  const removedPaths: Path[] = [];

  const originalPath = (path: Path): Path => {
    const out: Path = [];
    let cur: unknown = copy;
    for (const part of path) {
      if (Array.isArray(cur) && typeof part === 'number') {
        out.push(origins.get(cur)?.[part] ?? part);
      } else out.push(part);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[part] : undefined;
    }
    return out;
  };
  const holderOf = (path: Path): { holder: unknown; key: string | number } | undefined => {
    let cur: unknown = copy;
    for (const part of path.slice(0, -1)) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string | number, unknown>)[part];
    }
    const key = path.at(-1)!;
    // A YAML !!binary value is a Uint8Array: its bytes cannot be removed one by one, so the value itself goes.
    if (cur === null || typeof cur !== 'object' || ArrayBuffer.isView(cur) || !(key in (cur as object)))
      return undefined;
    return { holder: cur, key };
  };

  let current = issues;
  for (let round = 0; round < ROUNDS; round++) {
    // Resolve every unit to its holder first: removals shift indices.
    const targets: Array<{ holder: unknown; key: string | number; original: Path }> = [];
    for (const issue of current) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const units =
        issue.code === 'unrecognized_keys' && issue.keys ? issue.keys.map((k) => [...path, k]) : [unitOf(path)];
      for (let unit of units) {
        if (unit.length === 1 && unit[0] === 'version') {
          copy.version = 1; // reported already; the rest is still worth checking
          continue;
        }
        // A unit that is already gone (a required field missing): remove what holds it.
        let found = holderOf(unit);
        while (!found && unit.length > 1) {
          unit = unitOf(unit.slice(0, -1));
          found = holderOf(unit);
        }
        if (found && !targets.some((t) => t.holder === found!.holder && t.key === found!.key))
          targets.push({ ...found, original: originalPath(unit) });
      }
    }
    if (targets.length === 0 && current.length > 0) return undefined;
    for (const t of targets) {
      removedPaths.push(t.original);
      const [top, name] = t.original;
      if (typeof top === 'string' && NAMED[top])
        removedNames.add(t.original.length === 1 ? `${NAMED[top]}:*` : `${NAMED[top]}:${String(name)}`);
    }
    const arrays = new Map<unknown[], number[]>();
    for (const t of targets) {
      if (Array.isArray(t.holder) && typeof t.key === 'number')
        arrays.set(t.holder, [...(arrays.get(t.holder) ?? []), t.key]);
      else delete (t.holder as Record<string, unknown>)[t.key as string];
    }
    for (const [array, indices] of arrays) {
      const origin = origins.get(array) ?? array.map((_, i) => i);
      for (const i of [...new Set(indices)].sort((a, b) => b - a)) {
        array.splice(i, 1);
        origin.splice(i, 1);
      }
      origins.set(array, origin);
    }
    const parsed = schema.safeParse(copy);
    if (parsed.success) {
      const defaultsSchedule = removedPaths.some((p) => p[0] === 'defaults' && (p.length === 1 || p[1] === 'schedule'));
      return {
        data: parsed.data,
        originalPath,
        causedByRemoval: (message, path) => {
          if (removedPaths.some((r) => r.length <= path.length && r.every((part, i) => part === path[i]))) return true;
          const ref = /^unknown (connector|channel|pipeline|receiver|escalation policy) "([^"]*)"/.exec(message);
          if (ref && (removedNames.has(`${ref[1]}:${ref[2]}`) || removedNames.has(`${ref[1]}:*`))) return true;
          return defaultsSchedule && message.startsWith('no schedule:');
        },
      };
    }
    current = parsed.error.issues as IssueLike[];
  }
  return undefined;
}

/** The smallest part of the file that contains a problem at `path` and can go without misleading the rest. */
function unitOf(path: Path): Path {
  const [top] = path;
  if (path.length <= 1) return path;
  if (typeof top === 'string' && NAMED[top]) return path.slice(0, 2);
  if (top === 'monitors') {
    if (path[2] === 'rules' && path.length >= 4) return path.slice(0, 4);
    if (typeof path[2] === 'string' && MONITOR_OPTIONAL.has(path[2])) return path.slice(0, 3);
    return path.slice(0, 2);
  }
  if (top === 'inhibit' || top === 'maintenance') return path.slice(0, 2);
  if (top === 'archives' && path[1] === 'sources') return path.slice(0, 3);
  if (top === 'routing') {
    // The innermost route: removing it leaves its siblings and parents checkable.
    for (let i = path.length - 2; i >= 1; i--)
      if (path[i] === 'routes' && typeof path[i + 1] === 'number') return path.slice(0, i + 2);
  }
  return path;
}
