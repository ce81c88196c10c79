import type { Rule } from '../../config/model.js';
import { nextMonitorState, type MonitorState } from '../../evaluation/flap.js';
import { couldNotCheck, evaluate, percentChange } from '../../evaluation/rules.js';
import type { Measurement, Status } from '../../evaluation/types.js';

const at = '2026-11-26T10:00:00.000Z';
const seconds = (value: number | null): Measurement => ({ value, unit: 'seconds', observedAt: at });
const records = (value: number): Measurement => ({ value, unit: 'records', observedAt: at });

describe('evaluate', () => {
  const freshness: Rule[] = [
    { kind: 'above', threshold: 900, severity: 'warning' },
    { kind: 'above', threshold: 3600, severity: 'critical' },
  ];

  it('is ok when no rule matches, and says so with the value', () => {
    const v = evaluate(freshness, seconds(120), undefined, 'age of the newest record');
    expect(v.status).toBe('ok');
    expect(v.reason).toBe('age of the newest record 2m is within all rules');
    expect(v.rule).toBeUndefined();
  });

  it('lets the most severe matching rule decide', () => {
    expect(evaluate(freshness, seconds(1000)).status).toBe('warning');
    const v = evaluate(freshness, seconds(7200), undefined, 'age');
    expect(v.status).toBe('critical');
    expect(v.rule).toEqual(freshness[1]);
    expect(v.reason).toBe('age 2h is above 1h');
  });

  it('treats thresholds as strict bounds', () => {
    expect(evaluate(freshness, seconds(900)).status).toBe('ok');
    expect(evaluate([{ kind: 'below', threshold: 10, severity: 'critical' }], records(10)).status).toBe('ok');
    expect(evaluate([{ kind: 'below', threshold: 10, severity: 'critical' }], records(9)).status).toBe('critical');
  });

  it('handles equals and outside ranges (inclusive)', () => {
    expect(evaluate([{ kind: 'equals', threshold: 0, severity: 'critical' }], records(0)).status).toBe('critical');
    expect(evaluate([{ kind: 'equals', threshold: 0, severity: 'critical' }], records(1)).status).toBe('ok');
    const range: Rule[] = [{ kind: 'outside', range: [100, 200], severity: 'warning' }];
    expect(evaluate(range, records(100)).status).toBe('ok');
    expect(evaluate(range, records(200)).status).toBe('ok');
    expect(evaluate(range, records(99)).status).toBe('warning');
    expect(evaluate(range, records(201)).reason).toBe('value 201 is outside 100..200');
  });

  it('compares with the previous value for changePercent, in both directions', () => {
    const rules: Rule[] = [{ kind: 'changePercent', percent: 50, severity: 'warning' }];
    const previous = { value: 1000, observedAt: '2026-11-26T09:00:00.000Z' };
    expect(evaluate(rules, records(1400), { previous }).status).toBe('ok');
    expect(evaluate(rules, records(1600), { previous }).status).toBe('warning');
    const drop = evaluate(rules, records(400), { previous }, 'records');
    expect(drop.status).toBe('warning');
    expect(drop.reason).toBe('records 400 changed -60.0% against the previous run (1,000), more than 50%');
    expect(drop.baseline).toBe('the previous run: 1,000 at 2026-11-26T09:00:00.000Z');
    // Without history there is nothing to compare: not a failure.
    expect(evaluate(rules, records(1)).status).toBe('ok');
  });

  it('treats leaving zero as an infinite change', () => {
    expect(percentChange(0, 5)).toBe(Infinity);
    expect(percentChange(0, 0)).toBe(0);
    expect(
      evaluate([{ kind: 'changePercent', percent: 50, severity: 'warning' }], records(5), {
        previous: { value: 0, observedAt: at },
      }).reason,
    ).toMatch(/up from 0/);
  });

  it('treats "no records at all" as older than any freshness threshold', () => {
    const v = evaluate(freshness, seconds(null), undefined, 'age of the newest record in lake.parsed');
    expect(v.status).toBe('critical');
    expect(v.reason).toBe('age of the newest record in lake.parsed: no records at all (rule: above 1h)');
  });

  it('puts a rule summary in front of the reason', () => {
    const v = evaluate(
      [{ kind: 'above', threshold: 60, severity: 'critical', summary: 'the parser stopped' }],
      seconds(120),
      undefined,
      'age',
    );
    expect(v.reason).toBe('the parser stopped: age 2m is above 1m');
  });

  it('reports a check that could not run as its own status, not ok and not a data failure', () => {
    const v = couldNotCheck('connect ECONNREFUSED 127.0.0.1:5999', 'seconds', at);
    expect(v.status).toBe('error');
    expect(v.value).toBeUndefined();
    expect(v.reason).toBe('could not check: connect ECONNREFUSED 127.0.0.1:5999');
  });
});

describe('flap control', () => {
  const flap = { failAfter: 3, resolveAfter: 2 };
  function run(statuses: Status[], control = flap) {
    let state: MonitorState | undefined;
    return statuses.map((s, i) => {
      const next = nextMonitorState(state, s, `2026-11-26T10:00:0${i}.000Z`, control);
      state = next.state;
      return next.transition;
    });
  }

  it('opens after failAfter consecutive failures and resolves after resolveAfter healthy runs', () => {
    expect(run(['ok', 'critical', 'critical', 'critical', 'critical', 'ok', 'ok', 'ok'])).toEqual([
      'none',
      'none',
      'none',
      'open',
      'none',
      'none',
      'resolve',
      'none',
    ]);
  });

  it('does not open on interrupted failures, nor resolve on a single healthy run', () => {
    expect(run(['critical', 'critical', 'ok', 'critical', 'critical'])).toEqual([
      'none',
      'none',
      'none',
      'none',
      'none',
    ]);
    expect(run(['critical', 'critical', 'critical', 'ok', 'critical', 'ok', 'ok'])).toEqual([
      'none',
      'none',
      'open',
      'none',
      'none',
      'none',
      'resolve',
    ]);
  });

  it('reports a change of status while open (warning → critical, or could not check)', () => {
    expect(run(['warning', 'critical', 'error', 'error'], { failAfter: 1, resolveAfter: 1 })).toEqual([
      'open',
      'change',
      'change',
      'none',
    ]);
  });

  it('counts "could not check" as failing, so a dead source is noticed', () => {
    expect(run(['error', 'error', 'error'])).toEqual(['none', 'none', 'open']);
  });

  it('treats info as healthy', () => {
    expect(run(['critical', 'info'], { failAfter: 1, resolveAfter: 1 })).toEqual(['open', 'resolve']);
  });

  it('keeps the time the status last changed', () => {
    const a = nextMonitorState(undefined, 'ok', 't1', flap);
    const b = nextMonitorState(a.state, 'ok', 't2', flap);
    const c = nextMonitorState(b.state, 'critical', 't3', flap);
    expect([a.state.since, b.state.since, c.state.since]).toEqual(['t1', 't1', 't3']);
  });
});
