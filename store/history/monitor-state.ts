// monitor_state: each monitor's status, streaks and open alert, advanced by flap
// control in the same transaction that appends the run to metric_points.
import type { FlapControl } from '../../config/model.js';
import { nextMonitorState, type MonitorState, type Transition } from '../../evaluation/flap.js';
import type { Status, Verdict } from '../../evaluation/types.js';
import { Tables } from './tables.js';

/** One monitor run to record: its verdict, flap settings, and where its alert would go if it opened now. */
export interface RunToRecord {
  monitorId: string;
  runId: string;
  verdict: Verdict;
  flap: FlapControl;
  /** The alert's labels and incidents as they would be if it opened with this run. */
  labels?: Record<string, string>;
  incidentIds?: string[];
}

export interface RecordedRun {
  state: MonitorState;
  transition: Transition;
  /** The alert's labels when it opened, and the incidents it joined; set while alerting. */
  alertLabels?: Record<string, string>;
  incidentIds: string[];
}

export interface ActiveAlertRow {
  monitorId: string;
  labels: Record<string, string>;
  status: Status;
}

export class MonitorStates extends Tables {
  /** Current state of each monitor that has run, with its last run and the incidents an open alert joined. */
  async monitorStates(
    monitorIds: string[],
  ): Promise<Map<string, MonitorState & { lastRunId: string; incidentIds: string[]; updatedAt: string }>> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.monitor_state WHERE monitor_id = ANY($1)`, [
      monitorIds,
    ]);
    return new Map(
      rows.map((r) => [
        r.monitor_id as string,
        {
          ...rowToState(r),
          lastRunId: r.last_run_id as string,
          incidentIds: (r.incident_ids as string[] | null) ?? [],
          updatedAt: (r.updated_at as Date).toISOString(),
        },
      ]),
    );
  }

  async monitorState(monitorId: string): Promise<MonitorState | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.monitor_state WHERE monitor_id = $1`, [monitorId]);
    return rows[0] ? rowToState(rows[0]) : undefined;
  }

  /**
   * Records one run's verdict and advances the monitor's state. Idempotent per
   * runId: an activity retried after it committed gets the same transition back
   * instead of a second one (or none, which would lose the alert).
   */
  async recordRun(input: RunToRecord): Promise<RecordedRun> {
    return (await this.recordRuns([input]))[0]!;
  }

  /**
   * Several monitors' runs in one transaction (a cadence group's tick): the
   * same per-monitor logic as one run, in seven statements whatever their
   * number. States are locked in monitor id order, so concurrent batches
   * cannot deadlock. A run already recorded (same run id) changes nothing and
   * returns what it recorded then.
   */
  async recordRuns(inputs: RunToRecord[]): Promise<RecordedRun[]> {
    if (inputs.length === 0) return [];
    const ids = inputs.map((i) => i.monitorId);
    if (new Set(ids).size !== ids.length) throw new Error('recordRuns: one run per monitor in a batch');
    return this.transaction(async (client) => {
      await client.query(
        `INSERT INTO ${this.s}.monitor_state (monitor_id, status, alerting, failing_streak, healthy_streak, since, last_run_id, last_transition)
         SELECT id, 'ok', false, 0, 0, now(), '', 'none' FROM unnest($1::text[]) AS id ON CONFLICT (monitor_id) DO NOTHING`,
        [ids],
      );
      const { rows } = await client.query(
        `SELECT * FROM ${this.s}.monitor_state WHERE monitor_id = ANY($1) ORDER BY monitor_id FOR UPDATE`,
        [ids],
      );
      const rowOf = new Map(rows.map((r) => [r.monitor_id as string, r]));
      const points: unknown[][] = [[], [], [], [], [], [], []];
      const states: unknown[][] = [[], [], [], [], [], [], [], [], [], [], []];
      const push = (columns: unknown[][], values: unknown[]) => values.forEach((v, i) => columns[i]!.push(v));
      const recorded = inputs.map((input): RecordedRun => {
        const { monitorId, runId, verdict, flap } = input;
        const row = rowOf.get(monitorId)!;
        if (row.last_run_id === runId) {
          return {
            state: rowToState(row),
            transition: row.last_transition as Transition,
            alertLabels: row.alert_labels ?? undefined,
            incidentIds: row.incident_ids ?? [],
          };
        }
        const previous = row.last_run_id === '' ? undefined : rowToState(row);
        const { state, transition } = nextMonitorState(previous, verdict.status, verdict.observedAt, flap);
        // An alert keeps the labels and incidents it opened with until it resolves.
        const alertLabels = transition === 'open' ? (input.labels ?? {}) : (row.alert_labels ?? undefined);
        const incidentIds: string[] = transition === 'open' ? (input.incidentIds ?? []) : (row.incident_ids ?? []);
        push(points, [
          monitorId,
          runId,
          verdict.observedAt,
          verdict.value ?? null,
          verdict.status,
          verdict.reason,
          verdict.details ? JSON.stringify(verdict.details) : null,
        ]);
        push(states, [
          monitorId,
          state.status,
          state.alerting,
          state.alertStatus ?? null,
          state.failingStreak,
          state.healthyStreak,
          state.since,
          runId,
          transition,
          alertLabels ? JSON.stringify(alertLabels) : null,
          JSON.stringify(incidentIds),
        ]);
        return { state, transition, alertLabels, incidentIds };
      });
      if (points[0]!.length > 0) {
        await client.query(
          `INSERT INTO ${this.s}.metric_points (monitor_id, run_id, observed_at, value, status, reason, details)
           SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::text[], $6::text[], $7::jsonb[])
           ON CONFLICT (monitor_id, run_id) DO NOTHING`,
          points,
        );
        await client.query(
          `UPDATE ${this.s}.monitor_state AS m SET status = v.status, alerting = v.alerting, alert_status = v.alert_status,
             failing_streak = v.failing_streak, healthy_streak = v.healthy_streak, since = v.since, last_run_id = v.last_run_id,
             last_transition = v.last_transition, alert_labels = v.alert_labels, incident_ids = v.incident_ids, updated_at = now()
           FROM unnest($1::text[], $2::text[], $3::bool[], $4::text[], $5::int[], $6::int[], $7::timestamptz[], $8::text[], $9::text[], $10::jsonb[], $11::jsonb[])
             AS v(monitor_id, status, alerting, alert_status, failing_streak, healthy_streak, since, last_run_id, last_transition, alert_labels, incident_ids)
           WHERE m.monitor_id = v.monitor_id`,
          states,
        );
      }
      return recorded;
    });
  }

  /** Alerts that are open now, with their labels: what inhibition rules compare against. */
  async activeAlerts(): Promise<ActiveAlertRow[]> {
    const { rows } = await this.pool.query(
      `SELECT monitor_id, alert_labels, alert_status FROM ${this.s}.monitor_state WHERE alerting ORDER BY monitor_id`,
    );
    return rows.map((r) => ({ monitorId: r.monitor_id, labels: r.alert_labels ?? {}, status: r.alert_status }));
  }

  /**
   * An operator resolved the incident by hand: the monitors stop alerting and
   * start counting failures afresh, so one that is still failing opens a new
   * incident after failAfter more runs instead of never again.
   */
  async stopAlerting(monitorIds: string[]): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.s}.monitor_state SET alerting = false, alert_status = NULL, failing_streak = 0, alert_labels = NULL,
         incident_ids = '[]'::jsonb, updated_at = now() WHERE monitor_id = ANY($1)`,
      [monitorIds],
    );
  }
}

function rowToState(row: Record<string, unknown>): MonitorState {
  return {
    status: row.status as Status,
    alerting: row.alerting as boolean,
    alertStatus: (row.alert_status as Status | null) ?? undefined,
    failingStreak: row.failing_streak as number,
    healthyStreak: row.healthy_streak as number,
    since: (row.since as Date).toISOString(),
  };
}
