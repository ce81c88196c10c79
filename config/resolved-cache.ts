// Live objects (connection pools, SMTP transports) built from declared settings
// whose `${ENV}` references are resolved inside the worker. One object per id
// and settings: reused by every run, replaced when the settings or the secrets
// behind them change.
import { createHash } from 'node:crypto';
import { resolveEnvRefs } from './env.js';

export interface Resolved<T> {
  value: T;
  /** Resolved secret values, for scrubbing messages. */
  secrets: Set<string>;
}

export class ResolvedCache<Spec extends { id: string }, T> {
  private readonly live = new Map<string, Resolved<T>>();

  constructor(
    private readonly kind: string,
    private readonly build: (id: string, settings: Omit<Spec, 'id'>) => T,
    private readonly dispose: (value: T) => Promise<void>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get(spec: Spec): Resolved<T> {
    const secrets = new Set<string>();
    const { id, ...settings } = resolveEnvRefs(spec, this.env, `${this.kind}.${spec.id}`, secrets);
    const key = `${id}\u0000${createHash('sha256').update(JSON.stringify(settings)).digest('hex')}`;
    let entry = this.live.get(key);
    if (!entry) {
      for (const [other, stale] of this.live) {
        if (other.startsWith(`${id}\u0000`)) {
          this.live.delete(other);
          void this.dispose(stale.value).catch(() => undefined);
        }
      }
      entry = { value: this.build(id, settings), secrets };
      this.live.set(key, entry);
    }
    return entry;
  }

  async closeAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.allSettled(all.map((e) => this.dispose(e.value)));
  }
}
