// The example pipeline's faults (`pipewatch demo break <fault>`), kept in a
// file under the data directory. Several may be in effect at once; the
// pipeline's activities read the file on every run. Light on purpose: the CLI
// imports it for --help.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const FAULTS = {
  drop: 'the ETL drops half of the records it parses: the stage-losses monitor names "parsed" as the losing stage',
  stall:
    'the ETL stops consuming: queue-consumers names it (messages wait, nobody asks for them); parsed-freshness and stage-losses follow downstream in the same message',
  errors: 'the collector logs a burst of errors every run: the pipeline-errors log rule fires',
  queue:
    'the ETL detaches from the queue: queue-consumers (and collected-queue on RabbitMQ) name it; the data going stale behind it follows downstream',
  archive: 'a password-protected archive arrives: the archive flow asks an operator for its password',
  malformed: 'a record of an unknown format arrives: the ETL holds it and asks an operator to retry, skip or abort',
  collector: 'the collector stops: nothing new reaches example.collected (and so nothing downstream)',
  pod: 'a parser pod that cannot start (its image does not exist) appears in the cluster (the local one, or --kubeconfig): example-pods (operations) fires',
  cronjob:
    "on the local cluster (start's default): its controller-manager stops, so Kubernetes does not run the collector CronJob and says nothing: example-cronjobs (operations) fires",
  node: 'on the local cluster: its node stops reporting (its simulated kubelet, kwok, stops) and turns NotReady: example-pods names the node and its Ready condition, example-k8s-events its NodeNotReady events (operations, node layer); both resolve once the node is Ready again',
} as const;
export type Fault = keyof typeof FAULTS;

/** Where the example keeps its pods in the cluster `pipewatch demo --kubeconfig` names. */
export const EXAMPLE_NAMESPACE = 'pipewatch-example';

/** Names of the first example's faults, still accepted. */
export const FAULT_ALIASES: Record<string, Fault> = { parser: 'stall' };

/**
 * The password of the archives the `archive` fault drops, which the demo's operator types: made at random the
 * first time it is needed and kept (owner-readable only) in <data dir>/demo/archive-password, so no password
 * is written into the code and `pipewatch demo break archive` can say where to read it.
 */
export const demoArchivePasswordFile = (dataDir: string) => join(demoDir(dataDir), 'archive-password');

export function demoArchivePassword(dataDir: string): string {
  const file = demoArchivePasswordFile(dataDir);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(demoDir(dataDir), { recursive: true });
    writeFileSync(file, `${randomBytes(9).toString('base64url')}\n`, { mode: 0o600 });
    return readFileSync(file, 'utf8').trim();
  }
}

export interface FaultState {
  /** Fault → when it was injected (ISO); a fault's one-off effects (an archive, a malformed record) are keyed by it. */
  faults: Partial<Record<Fault, string>>;
}

export const demoDir = (dataDir: string) => join(dataDir, 'demo');
const faultFile = (dataDir: string) => join(demoDir(dataDir), 'faults.json');
export const demoLogDir = (dataDir: string) => join(demoDir(dataDir), 'logs');
export const demoIncomingDir = (dataDir: string) => join(demoDir(dataDir), 'incoming');
export const demoExtractedDir = (dataDir: string) => join(demoDir(dataDir), 'extracted');

export function readFaults(dataDir: string): FaultState {
  try {
    const parsed = JSON.parse(readFileSync(faultFile(dataDir), 'utf8')) as FaultState;
    const faults = Object.fromEntries(
      Object.entries(parsed.faults ?? {}).filter(([f, at]) => f in FAULTS && typeof at === 'string'),
    );
    return { faults };
  } catch {
    return { faults: {} };
  }
}

function writeFaults(dataDir: string, state: FaultState): void {
  mkdirSync(demoDir(dataDir), { recursive: true });
  // Written whole and renamed, so a run never reads half a file.
  const tmp = `${faultFile(dataDir)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, faultFile(dataDir));
}

/** Adds a fault to those in effect (several may be). */
export function breakStage(dataDir: string, fault: Fault, at = new Date()): FaultState {
  const state = readFaults(dataDir);
  state.faults[fault] ??= at.toISOString();
  writeFaults(dataDir, state);
  return state;
}

/** Removes one fault, or all of them. */
export function heal(dataDir: string, fault?: Fault): FaultState {
  const state = readFaults(dataDir);
  if (fault) delete state.faults[fault];
  else state.faults = {};
  if (Object.keys(state.faults).length === 0) rmSync(faultFile(dataDir), { force: true });
  else writeFaults(dataDir, state);
  return state;
}

export function parseFault(name: string): Fault {
  const fault = FAULT_ALIASES[name] ?? name;
  if (!(fault in FAULTS)) throw new Error(`unknown fault "${name}"; choose one of: ${Object.keys(FAULTS).join(', ')}`);
  return fault as Fault;
}
