// The history store: metric values per monitor and run, monitor state (with
// flap control applied transactionally), the notification ledger that keeps a
// retried send from reaching a person twice, and what checks, reports and
// interventions keep between runs. PostgreSQL through `pg`; the embedded
// default (embedded.ts) speaks the same protocol.
//
// HistoryStore is the one object callers hold. Each family of tables has its
// own class and file under store/history/ (the SQL lives there); the methods
// below only hand each call to the family that owns the table.
import pg from 'pg';
import { redactUrl } from '../evaluation/redact-url.js';
import { MetricPoints } from './history/points.js';
import { MonitorStates } from './history/monitor-state.js';
import { StageCounts } from './history/stage-counts.js';
import { IncidentEvents } from './history/incidents.js';
import { Reports } from './history/reports.js';
import { InterventionAudit } from './history/interventions.js';
import { LogTables } from './history/logs.js';
import { Observations } from './history/observations.js';
import { ApiShapes } from './history/api-shapes.js';
import { NotificationLedger } from './history/notifications.js';
import { Tables } from './history/tables.js';
import { applyMigrations } from './migrations.js';

export type { StoredPoint } from './history/points.js';
export type { ActiveAlertRow, RecordedRun, RunToRecord } from './history/monitor-state.js';
export type { IncidentEvent, IncidentPeriod } from './history/incidents.js';
export type { SavedReport } from './history/reports.js';
export type { InterventionAuditEntry } from './history/interventions.js';
export type { LogOffset } from './history/logs.js';
export type { ApiShape } from './history/api-shapes.js';
export type { NotificationClaim } from './history/notifications.js';

export interface StoreOptions {
  url: string;
  /** PostgreSQL schema holding pipewatch's tables. */
  schema?: string;
  poolMax?: number;
}

export const DEFAULT_STORE_SCHEMA = 'pipewatch';

export class HistoryStore extends Tables {
  private readonly points = new MetricPoints(this.pool, this.schema);
  private readonly states = new MonitorStates(this.pool, this.schema);
  private readonly stageTables = new StageCounts(this.pool, this.schema);
  private readonly incidents = new IncidentEvents(this.pool, this.schema);
  private readonly reportTables = new Reports(this.pool, this.schema);
  private readonly interventions = new InterventionAudit(this.pool, this.schema);
  private readonly logs = new LogTables(this.pool, this.schema);
  private readonly observations = new Observations(this.pool, this.schema);
  private readonly apiShapes = new ApiShapes(this.pool, this.schema);
  private readonly ledger = new NotificationLedger(this.pool, this.schema);

  private constructor(pool: pg.Pool, schema: string) {
    super(pool, schema);
  }

  /** Connects and applies pending migrations (serialised across workers by an advisory lock). */
  static async open(options: StoreOptions): Promise<HistoryStore> {
    const schema = options.schema ?? DEFAULT_STORE_SCHEMA;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new Error(`invalid store schema name "${schema}": use lowercase letters, digits and "_"`);
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? 4,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 30_000,
    });
    // An idle client losing its server must not crash the worker; the next query reports it.
    pool.on('error', () => undefined);
    const store = new HistoryStore(pool, schema);
    try {
      await store.transaction((client) => applyMigrations(client, schema));
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new Error(`history store at ${redactUrl(options.url)} is not usable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return store;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  // MetricPoints (store/history/points.ts)
  lastPoint(...args: Parameters<MetricPoints['lastPoint']>) {
    return this.points.lastPoint(...args);
  }
  pointsBetween(...args: Parameters<MetricPoints['pointsBetween']>) {
    return this.points.pointsBetween(...args);
  }
  recentPoints(...args: Parameters<MetricPoints['recentPoints']>) {
    return this.points.recentPoints(...args);
  }
  recentPointsOf(...args: Parameters<MetricPoints['recentPointsOf']>) {
    return this.points.recentPointsOf(...args);
  }
  lastRuns(...args: Parameters<MetricPoints['lastRuns']>) {
    return this.points.lastRuns(...args);
  }

  // MonitorStates (store/history/monitor-state.ts)
  monitorStates(...args: Parameters<MonitorStates['monitorStates']>) {
    return this.states.monitorStates(...args);
  }
  monitorState(...args: Parameters<MonitorStates['monitorState']>) {
    return this.states.monitorState(...args);
  }
  recordRun(...args: Parameters<MonitorStates['recordRun']>) {
    return this.states.recordRun(...args);
  }
  recordRuns(...args: Parameters<MonitorStates['recordRuns']>) {
    return this.states.recordRuns(...args);
  }
  activeAlerts(...args: Parameters<MonitorStates['activeAlerts']>) {
    return this.states.activeAlerts(...args);
  }
  stopAlerting(...args: Parameters<MonitorStates['stopAlerting']>) {
    return this.states.stopAlerting(...args);
  }

  // StageCounts (store/history/stage-counts.ts)
  recordStageCounts(...args: Parameters<StageCounts['recordStageCounts']>) {
    return this.stageTables.recordStageCounts(...args);
  }
  stageCounts(...args: Parameters<StageCounts['stageCounts']>) {
    return this.stageTables.stageCounts(...args);
  }
  stageCountsBetween(...args: Parameters<StageCounts['stageCountsBetween']>) {
    return this.stageTables.stageCountsBetween(...args);
  }
  stageCountsOfWindow(...args: Parameters<StageCounts['stageCountsOfWindow']>) {
    return this.stageTables.stageCountsOfWindow(...args);
  }

  // IncidentEvents (store/history/incidents.ts)
  recordIncidentEvents(...args: Parameters<IncidentEvents['recordIncidentEvents']>) {
    return this.incidents.recordIncidentEvents(...args);
  }
  incidentPeriods(...args: Parameters<IncidentEvents['incidentPeriods']>) {
    return this.incidents.incidentPeriods(...args);
  }

  // Reports (store/history/reports.ts)
  saveReport(...args: Parameters<Reports['saveReport']>) {
    return this.reportTables.saveReport(...args);
  }
  report(...args: Parameters<Reports['report']>) {
    return this.reportTables.report(...args);
  }
  reports(...args: Parameters<Reports['reports']>) {
    return this.reportTables.reports(...args);
  }

  // InterventionAudit (store/history/interventions.ts)
  recordInterventionAudit(...args: Parameters<InterventionAudit['recordInterventionAudit']>) {
    return this.interventions.recordInterventionAudit(...args);
  }
  interventionAudit(...args: Parameters<InterventionAudit['interventionAudit']>) {
    return this.interventions.interventionAudit(...args);
  }

  // LogTables (store/history/logs.ts)
  ingestLogs(...args: Parameters<LogTables['ingestLogs']>) {
    return this.logs.ingestLogs(...args);
  }
  pruneLogEvents(...args: Parameters<LogTables['pruneLogEvents']>) {
    return this.logs.pruneLogEvents(...args);
  }
  logEvents(...args: Parameters<LogTables['logEvents']>) {
    return this.logs.logEvents(...args);
  }
  logEventsAfter(...args: Parameters<LogTables['logEventsAfter']>) {
    return this.logs.logEventsAfter(...args);
  }
  lastLogSeq(...args: Parameters<LogTables['lastLogSeq']>) {
    return this.logs.lastLogSeq(...args);
  }
  logCursor(...args: Parameters<LogTables['logCursor']>) {
    return this.logs.logCursor(...args);
  }
  saveLogCursor(...args: Parameters<LogTables['saveLogCursor']>) {
    return this.logs.saveLogCursor(...args);
  }

  // Observations (store/history/observations.ts)
  observeConditions(...args: Parameters<Observations['observeConditions']>) {
    return this.observations.observeConditions(...args);
  }
  sampleCounters(...args: Parameters<Observations['sampleCounters']>) {
    return this.observations.sampleCounters(...args);
  }

  // ApiShapes (store/history/api-shapes.ts)
  apiShape(...args: Parameters<ApiShapes['apiShape']>) {
    return this.apiShapes.apiShape(...args);
  }
  observeApiShape(...args: Parameters<ApiShapes['observeApiShape']>) {
    return this.apiShapes.observeApiShape(...args);
  }
  acceptApiShape(...args: Parameters<ApiShapes['acceptApiShape']>) {
    return this.apiShapes.acceptApiShape(...args);
  }

  // NotificationLedger (store/history/notifications.ts)
  sentSince(...args: Parameters<NotificationLedger['sentSince']>) {
    return this.ledger.sentSince(...args);
  }
  claimNotification(...args: Parameters<NotificationLedger['claimNotification']>) {
    return this.ledger.claimNotification(...args);
  }
  markNotificationSent(...args: Parameters<NotificationLedger['markNotificationSent']>) {
    return this.ledger.markNotificationSent(...args);
  }
  notifications(...args: Parameters<NotificationLedger['notifications']>) {
    return this.ledger.notifications(...args);
  }
}
