// The shape of an API's JSON answer (every path with its type) and the diff between the accepted
// shape and the latest: API change detection for http checks and `pipewatch accept-shape`. Pure.

/**
 * Past these, a shape says so instead of going on: a hostile body must not make
 * the shape (kept in history and in the store) or the stack grow without bound.
 */
export const SHAPE_LIMITS = { depth: 64, paths: 2_000 };

/** The shape of a JSON value: every path with its type; array elements share "[]". */
export function jsonShape(value: unknown, path = '$', out: Record<string, string> = {}): Record<string, string> {
  let paths = Object.keys(out).length;
  const note = (p: string, type: string) => {
    if (!(p in out)) {
      if (paths >= SHAPE_LIMITS.paths) {
        out['…'] = `more than ${SHAPE_LIMITS.paths} paths; the rest are not described`;
        return false;
      }
      paths++;
    }
    out[p] = type;
    return true;
  };
  const walk = (v: unknown, p: string, depth: number): void => {
    if (v !== null && typeof v === 'object' && depth >= SHAPE_LIMITS.depth) {
      note(p, `nested deeper than ${SHAPE_LIMITS.depth} levels`);
    } else if (Array.isArray(v)) {
      if (!note(p, 'array')) return;
      for (const item of v) walk(item, `${p}[]`, depth + 1);
    } else if (v !== null && typeof v === 'object') {
      if (!note(p, 'object')) return;
      for (const [k, child] of Object.entries(v)) walk(child, `${p}.${k}`, depth + 1);
    } else {
      const type = v === null ? 'null' : typeof v;
      // An array can hold several types at one path: keep them all, sorted.
      note(p, out[p] && out[p] !== type ? [...new Set([...out[p]!.split('|'), type])].sort().join('|') : type);
    }
  };
  walk(value, path, 0);
  return out;
}

/** A readable diff of two shapes: "+ $.data[].owner: string", "- $.count: number", "~ $.id: number → string". */
export function shapeDiff(accepted: Record<string, string>, latest: Record<string, string>): string[] {
  const lines: string[] = [];
  for (const [path, type] of Object.entries(latest)) {
    if (!(path in accepted)) lines.push(`+ ${path}: ${type}`);
    else if (accepted[path] !== type) lines.push(`~ ${path}: ${accepted[path]} → ${type}`);
  }
  for (const [path, type] of Object.entries(accepted)) if (!(path in latest)) lines.push(`- ${path}: ${type}`);
  return lines.sort((a, b) => a.slice(2).localeCompare(b.slice(2)));
}
