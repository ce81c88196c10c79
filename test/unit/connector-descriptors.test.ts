// The connector registries against the config schema: every check type has one descriptor, every
// connector type a descriptor and an implementation, and what the descriptors say (support, perspective,
// unit, description, collect timeout) is what the loader and the workflows used before they asked them.
import {
  CONNECTOR_DESCRIPTORS,
  checkDescriptor,
  checkPerspective,
  checksOf,
  checkUnit,
  collectTimeoutMs,
  defaultEveryMs,
  describeCheck,
  needsOwnSchedule,
  runsCheck,
} from '../../connectors/descriptors.js';
import { CONNECTOR_FACTORIES } from '../../connectors/registry.js';
import {
  check as checkSchema,
  connector as connectorSchema,
  type CheckSpec,
  type CheckType,
  type ConnectorType,
} from '../../config/schema.js';
import type { NamedConnector } from '../../config/model.js';

const literal = (option: { shape: { type: { value: unknown } } }) => option.shape.type.value as string;
const checkTypes = checkSchema.options.map((o) => literal(o as never)) as CheckType[];
const connectorTypes = connectorSchema.options.map((o) => literal(o as never)) as ConnectorType[];

describe('the connector registries', () => {
  it('have one descriptor and one implementation per connector type of the schema, in its order', () => {
    expect(Object.keys(CONNECTOR_DESCRIPTORS)).toEqual(connectorTypes);
    expect(Object.keys(CONNECTOR_FACTORIES)).toEqual(connectorTypes);
    for (const type of connectorTypes) {
      expect(CONNECTOR_DESCRIPTORS[type].type).toBe(type);
      expect(CONNECTOR_FACTORIES[type].type).toBe(type);
    }
  });

  it('describe every check type of the schema, and only those', () => {
    for (const type of checkTypes) expect(() => checkDescriptor(type)).not.toThrow();
    const described = new Set(connectorTypes.flatMap(checksOf));
    expect([...described].filter((t) => !checkTypes.includes(t))).toEqual([]);
    // stageCounts runs on a pipeline's stages, not on one connector.
    expect(checkTypes.filter((t) => !described.has(t))).toEqual(['stageCounts']);
  });

  it('give a check run by several connectors one descriptor, so its perspective, unit and words agree', () => {
    for (const type of checkTypes) {
      const descriptors = new Set(
        connectorTypes.filter((c) => runsCheck(c, type)).map((c) => CONNECTOR_DESCRIPTORS[c].checks[type]),
      );
      expect({ type, descriptors: descriptors.size }).toEqual({ type, descriptors: type === 'stageCounts' ? 0 : 1 });
    }
  });
});

// The support matrix, perspectives and units as config/schema.ts listed them before the descriptors held them.
const SUPPORT: Record<ConnectorType, CheckType[]> = {
  postgres: ['count', 'freshness', 'sql', 'database'],
  elasticsearch: ['count', 'freshness', 'cluster', 'logs'],
  http: ['http'],
  rabbitmq: ['queue'],
  host: ['disk', 'memory', 'load'],
  temporal: ['taskQueue', 'interventions', 'schedules'],
  logfiles: ['logs'],
  kubernetes: ['kubeEvents', 'podHealth', 'cronJobs'],
  prometheus: ['promql'],
};

const PERSPECTIVE: Record<CheckType, string> = {
  count: 'data',
  freshness: 'data',
  sql: 'data',
  stageCounts: 'data',
  logs: 'logs',
  kubeEvents: 'operations',
  podHealth: 'operations',
  cronJobs: 'operations',
  interventions: 'operations',
  http: 'services',
  queue: 'services',
  disk: 'services',
  memory: 'services',
  load: 'services',
  database: 'services',
  cluster: 'services',
  taskQueue: 'services',
  promql: 'services',
  schedules: 'services',
};

describe('what the descriptors say', () => {
  it.each(connectorTypes)('%s runs the checks it always ran, in the order validate names them', (type) => {
    expect(checksOf(type)).toEqual(SUPPORT[type]);
    for (const t of checkTypes) expect(runsCheck(type, t)).toBe(SUPPORT[type].includes(t));
  });

  it.each(checkTypes)('%s keeps its perspective', (type) => {
    expect(checkPerspective(type)).toBe(PERSPECTIVE[type]);
  });

  it.each<[CheckSpec, string]>([
    [{ type: 'freshness', dataset: 'd', timestamp: 't' }, 'seconds'],
    [{ type: 'http', path: '', method: 'GET', conditions: [], conditionSeverity: 'critical' }, 'seconds'],
    [{ type: 'sql', query: 'select 1', window: 3_600_000, unit: 'seconds' }, 'seconds'],
    [{ type: 'promql', query: 'up', series: 'one', unit: 'bytes' }, 'bytes'],
    [{ type: 'queue', queue: 'q', vhost: '/', requireConsumers: true }, 'messages'],
    [{ type: 'disk', path: '/', measure: 'used' }, 'percent'],
    [{ type: 'memory' }, 'percent'],
    [{ type: 'load' }, 'count'],
    [{ type: 'cluster', measure: 'status' }, 'count'],
    [{ type: 'cluster', measure: 'disk' }, 'percent'],
    [{ type: 'database', measure: 'connections' }, 'percent'],
    [{ type: 'database', measure: 'size' }, 'bytes'],
    [{ type: 'database', measure: 'replicationLag' }, 'seconds'],
    [{ type: 'interventions', olderThan: 3_600_000 }, 'count'],
    [{ type: 'stageCounts', pipeline: 'p', window: 3_600_000, settle: 0, sample: 20 }, 'records'],
  ] as Array<[CheckSpec, string]>)('the unit of %o is %s', (check, unit) => {
    expect(checkUnit(check)).toBe(unit);
  });

  it('says what the number means, with the monitor, connector and details it is given', () => {
    const http = {
      id: 'api',
      type: 'http',
      url: 'https://api.example',
      headers: {},
      timeout: 10_000,
      rejectUnauthorized: true,
    } as NamedConnector;
    expect(
      describeCheck({ type: 'http', path: '/health', method: 'HEAD' } as CheckSpec, {
        monitorId: 'm',
        connector: http,
      }),
    ).toBe('response time of HEAD https://api.example/health');
    expect(describeCheck({ type: 'sql' } as CheckSpec, { monitorId: 'lake-rows' })).toBe('value of lake-rows');
    expect(
      describeCheck({ type: 'stageCounts', pipeline: 'intel' } as CheckSpec, {
        monitorId: 'm',
        details: { firstLosingStage: 'parse' },
      }),
    ).toBe('records lost at stage parse of pipeline intel');
    expect(
      describeCheck({ type: 'podHealth', namespace: 'crawl', labels: 'tier=web' } as CheckSpec, {
        monitorId: 'm',
        details: { summary: '2 crash loops' },
      }),
    ).toBe('pod problems in namespace crawl (tier=web) (2 crash loops)');
    expect(
      describeCheck({ type: 'logs', rule: 'cardinality', field: 'user', window: 300_000 } as CheckSpec, {
        monitorId: 'm',
      }),
    ).toBe('distinct user in 5m');
  });

  it('gives each connector its collect timeout, and a check without a connector the default', () => {
    const spec = (s: object) => s as NamedConnector;
    expect(collectTimeoutMs(undefined)).toBe(60_000);
    expect(collectTimeoutMs(spec({ type: 'postgres', statementTimeout: 30_000, connectTimeout: 10_000 }))).toBe(45_000);
    expect(collectTimeoutMs(spec({ type: 'elasticsearch', requestTimeout: 30_000 }))).toBe(65_000);
    expect(collectTimeoutMs(spec({ type: 'http', timeout: 10_000 }))).toBe(20_000);
    expect(collectTimeoutMs(spec({ type: 'kubernetes', requestTimeout: 30_000 }))).toBe(150_000);
    expect(collectTimeoutMs(spec({ type: 'prometheus', timeout: 30_000 }))).toBe(35_000);
    for (const type of ['rabbitmq', 'host', 'temporal', 'logfiles'])
      expect(collectTimeoutMs(spec({ type }))).toBe(60_000);
  });

  it('keeps stageCounts and logs monitors out of cadence groups, and only those', () => {
    expect(checkTypes.filter(needsOwnSchedule)).toEqual(['stageCounts', 'logs']);
  });

  it('gives the queue check its own cadence and no other check one', () => {
    expect(checkTypes.filter((t) => defaultEveryMs(t) !== undefined).map((t) => [t, defaultEveryMs(t)])).toEqual([
      ['queue', 600_000],
    ]);
  });
});
