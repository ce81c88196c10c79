// The CronJobs declared in YAML manifests on disk (multi-document files, List
// kinds, rendered Helm output), for a cronJobs check whose schedules come from
// the repository rather than the cluster.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cronCanFire, parseCron } from '../../evaluation/cron.js';
import { globRegExp, hasWildcard } from '../../evaluation/glob.js';
import type { CronJobShape } from '../../evaluation/kubernetes/cronjobs.js';
import type { ObjectMeta } from '../../evaluation/kubernetes/shared.js';
import { CollectError } from '../types.js';

/** The files `manifests` names: one file, a directory's YAML files, or the files matching a pattern (evaluation/glob.ts: `*`, `?`) in one directory, sorted. */
function manifestFiles(pattern: string): string[] {
  const path = resolve(pattern);
  if (!hasWildcard(path)) {
    if (!existsSync(path)) throw new CollectError(`manifests ${pattern}: no such file or directory`);
    if (statSync(path).isDirectory()) {
      return readdirSync(path)
        .filter((f) => /\.ya?ml$/i.test(f))
        .sort()
        .map((f) => join(path, f));
    }
    return [path];
  }
  const dir = dirname(path);
  const re = globRegExp(basename(path));
  if (!existsSync(dir)) throw new CollectError(`manifests ${pattern}: no such directory ${dir}`);
  return readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * The CronJobs declared in YAML manifests: multi-document files, List kinds,
 * rendered Helm output. A malformed document or an invalid schedule or time
 * zone is an error naming the file and document: never a silent pass.
 */
export function readCronJobManifests(pattern: string, defaultNamespace: string): CronJobShape[] {
  const files = manifestFiles(pattern);
  if (files.length === 0) throw new CollectError(`manifests ${pattern}: no YAML files match`);
  const out: CronJobShape[] = [];
  for (const file of files) {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, i) => {
      const where = `${file}, document ${i + 1}`;
      if (doc.errors.length)
        throw new CollectError(`${where}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
      const value = doc.toJS() as unknown;
      const objects =
        (value as { kind?: string; items?: unknown[] })?.kind === 'List'
          ? ((value as { items?: unknown[] }).items ?? [])
          : [value];
      for (const o of objects) {
        const obj = o as { kind?: string; metadata?: ObjectMeta; spec?: CronJobShape['spec'] } | null;
        if (!obj || obj.kind !== 'CronJob') continue;
        const name = obj.metadata?.name;
        if (!name) throw new CollectError(`${where}: a CronJob without metadata.name`);
        const schedule = obj.spec?.schedule;
        if (typeof schedule !== 'string') throw new CollectError(`${where}: CronJob ${name} has no spec.schedule`);
        const parsed = parseCron(schedule);
        if (typeof parsed === 'string')
          throw new CollectError(`${where}: CronJob ${name}: invalid schedule: ${parsed}`);
        // As the API server refuses a new CronJob with TZ= in its schedule, and the controller one that never fires.
        if (schedule.includes('TZ'))
          throw new CollectError(
            `${where}: CronJob ${name}: Kubernetes refuses TZ or CRON_TZ in a schedule; write spec.timeZone: ${parsed.zone ?? '<zone>'} instead`,
          );
        if (!cronCanFire(parsed))
          throw new CollectError(
            `${where}: CronJob ${name}: schedule "${schedule}" never fires (no selected month has that day)`,
          );
        if (obj.spec?.timeZone) {
          try {
            new Intl.DateTimeFormat('en-US', { timeZone: obj.spec.timeZone });
          } catch {
            throw new CollectError(`${where}: CronJob ${name}: "${obj.spec.timeZone}" is not an IANA time zone`);
          }
        }
        out.push({
          metadata: { ...obj.metadata, namespace: obj.metadata?.namespace ?? defaultNamespace },
          spec: obj.spec,
        });
      }
    });
  }
  return out;
}
