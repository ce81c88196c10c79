// Checks on the YAML text itself, before and after it is composed into a document: how deep it
// nests (the composer recurses and would die with "Maximum call stack size exceeded"), and keys a
// mapping repeats (the yaml library reports the repeat without naming the key or the first one).
// Both answer in the operator's words with a line, as every other config problem does.
import { CST, isMap, isPair, isScalar, isSeq, Parser, type Document, type LineCounter, type Node } from 'yaml';

/** Deepest nesting of mappings and lists a configuration may have; pipewatch's own deepest fields sit at about 10. */
export const MAX_NESTING = 64;

/**
 * The first collection nested deeper than MAX_NESTING, found on the concrete syntax tree (the
 * parser keeps its own stack, so this runs on any input) and walked without recursion.
 */
export function tooDeep(text: string): { offset: number } | undefined {
  const pending: Array<{ token: CST.Token | null | undefined; depth: number }> = [];
  for (const token of new Parser().parse(text)) pending.push({ token, depth: 0 });
  while (pending.length > 0) {
    const { token, depth } = pending.pop()!;
    if (!token) continue;
    switch (token.type) {
      case 'document':
        pending.push({ token: token.value, depth });
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth + 1 > MAX_NESTING) return { offset: token.offset };
        for (const item of token.items) {
          if ('key' in item) pending.push({ token: item.key, depth: depth + 1 });
          if ('value' in item) pending.push({ token: item.value, depth: depth + 1 });
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

export interface RepeatedKey {
  /** Path of the mapping that repeats the key, then the key. */
  path: Array<string | number>;
  key: string;
  firstLine: number;
  line: number;
  column: number;
}

/**
 * Keys a mapping holds twice. The document must be parsed with `uniqueKeys: false` (the later value
 * wins in toJS); nesting is bounded by tooDeep beforehand, so the walk's own stack stays small.
 */
export function repeatedKeys(doc: Document, lineCounter: LineCounter): RepeatedKey[] {
  const out: RepeatedKey[] = [];
  const pending: Array<{ node: unknown; path: Array<string | number> }> = [{ node: doc.contents, path: [] }];
  while (pending.length > 0) {
    const { node, path } = pending.pop()!;
    if (isMap(node)) {
      const first = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
        if (key !== undefined && keyNode?.range) {
          const at = lineCounter.linePos(keyNode.range[0]);
          const before = first.get(key);
          if (before !== undefined)
            out.push({ path: [...path, key], key, firstLine: before, line: at.line, column: at.col });
          else first.set(key, at.line);
        }
        pending.push({ node: pair.value, path: [...path, key ?? '?'] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => pending.push({ node: item, path: [...path, i] }));
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}
