// `${ENV_VAR}` references: how configuration names a secret without holding it.
// References travel unresolved through schedules and workflow history; only an
// activity, inside the worker, turns them into values (resolveEnvRefs).

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export class MissingEnvError extends Error {
  constructor(
    readonly variable: string,
    readonly where: string,
  ) {
    super(`environment variable ${variable} is not set (referenced by ${where})`);
    this.name = 'MissingEnvError';
  }
}

/** True when the whole string is a single `${NAME}` reference. */
export function isEnvRef(text: string): boolean {
  return WHOLE_REF.test(text);
}

/** Every `${NAME}` referenced anywhere inside value, with the path that references it. */
export function findEnvRefs(
  value: unknown,
  path: Array<string | number> = [],
): Array<{ variable: string; path: Array<string | number> }> {
  if (typeof value === 'string') {
    return [...value.matchAll(REF)].map((m) => ({ variable: m[1]!, path }));
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => findEnvRefs(item, [...path, i]));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => findEnvRefs(item, [...path, key]));
  }
  return [];
}

/**
 * A deep copy of value with every reference replaced by its value from env.
 * `secrets` collects the substituted values so callers can scrub them from
 * anything they report (see redactSecrets).
 */
export function resolveEnvRefs<T>(
  value: T,
  env: NodeJS.ProcessEnv,
  where: string,
  secrets: Set<string> = new Set(),
): T {
  const walk = (item: unknown, path: string): unknown => {
    if (typeof item === 'string') {
      return item.replace(REF, (_, name: string, offset: number) => {
        const resolved = env[name];
        if (resolved === undefined) throw new MissingEnvError(name, path ? `${where}.${path}` : where);
        if (resolved.length >= 4 && holdsSecret(path, item, offset, _.length)) secrets.add(resolved);
        return resolved;
      });
    }
    if (Array.isArray(item)) return item.map((x, i) => walk(x, `${path}[${i}]`));
    if (item !== null && typeof item === 'object') {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]));
    }
    return item;
  };
  return walk(value, '') as T;
}

/** Settings that name where something is, never a credential: their values are shown, not masked. */
const PLAIN_SETTING =
  /^(host|hostname|hosts|port|user|username|database|db|namespace|index|path|address|taskqueue|vhost|queue|topic|region|cluster|context|servername)$/i;

/**
 * Whether the reference at `offset` in `template` (the value of setting `path`) stands for a secret. Every
 * reference is a secret unless its place says otherwise: a setting that names a place (host, port, user,
 * database …), or, inside a URL, the user name, host or port of its authority. A password in a URL's
 * authority, a whole URL, a token or anything unknown stays secret.
 */
export function holdsSecret(path: string, template: string, offset: number, length: number): boolean {
  const setting = path
    .split('.')
    .pop()!
    .replace(/\[\d+\]$/, '');
  if (PLAIN_SETTING.test(setting)) return false;
  const before = template.slice(0, offset);
  const authority = /:\/\/([^/?#]*)$/.exec(before);
  if (!authority) return true;
  const after = template.slice(offset + length);
  const authorityEnd = after.search(/[/?#]/);
  const restOfAuthority = authorityEnd === -1 ? after : after.slice(0, authorityEnd);
  if (restOfAuthority.includes('@')) {
    // In the userinfo: before a ':' it is the user name; after one, or the whole userinfo, holds the password.
    return authority[1]!.includes(':') || !restOfAuthority.startsWith(':');
  }
  // After the '@' (or with no userinfo at all): host and port.
  return false;
}

/** Replaces every occurrence of a known secret value (and its URL-encoded form) with "***". */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join('***');
    }
  }
  return out;
}

/**
 * A deep copy of a result with every known secret value redacted from its
 * strings (keys included): what a source answers can repeat a credential it
 * was sent — a failing API echoing its Authorization header — and that answer
 * becomes a verdict's reason, a stored detail and an alert's text.
 */
export function redactSecretsDeep<T>(value: T, secrets: Iterable<string>): T {
  const list = [...secrets];
  if (list.length === 0) return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return redactSecrets(item, list);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [redactSecrets(k, list), walk(v)]));
    }
    return item;
  };
  return walk(value) as T;
}
