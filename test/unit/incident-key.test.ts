// Incident ids (evaluation/incident-key.ts, used by evaluation/routing.ts incidentFor): plain groups keep
// the ids they always had, and no two different groups share one.
import { groupKey, incidentWorkflowId } from '../../evaluation/incident-key.js';
import { incidentFor } from '../../evaluation/routing.js';

const match = (groupBy: string[]) => ({
  receiver: 'team',
  groupBy,
  groupWaitMs: 0,
  groupIntervalMs: 1,
  repeatIntervalMs: 1,
});

describe('incident ids', () => {
  it('keep the ids of plain values: the form running incidents, replay fixtures and tests already use', () => {
    expect(incidentFor(match(['monitor']), { monitor: 'lake-freshness' }).incidentId).toBe(
      'pipewatch-incident/team/monitor=lake-freshness',
    );
    expect(incidentFor(match(['pipeline', 'severity']), { pipeline: 'intel', severity: 'critical' }).incidentId).toBe(
      'pipewatch-incident/team/pipeline=intel,severity=critical',
    );
    expect(incidentFor(match(['pipeline', 'team']), { pipeline: 'a b/ü:1' }).incidentId).toBe(
      'pipewatch-incident/team/pipeline=a b/ü:1,team=',
    );
  });

  it('tell apart groups whose values hold "," "=" or "%", which used to collide', () => {
    const a = incidentFor(match(['a', 'b']), { a: '1,b=2', b: '' }).incidentId;
    const b = incidentFor(match(['a', 'b']), { a: '1', b: '2,b=' }).incidentId;
    expect(a).toBe('pipewatch-incident/team/a=1%2Cb%3D2,b=');
    expect(b).toBe('pipewatch-incident/team/a=1,b=2%2Cb%3D');
    expect(a).not.toBe(b);
    // An encoded-looking value is not confused with the character it encodes.
    expect(groupKey([['a', '%2C']])).not.toBe(groupKey([['a', ',']]));
  });

  it('never give two different groups one id (20,000 seeded groups over the troublesome characters)', () => {
    let seed = 7;
    // mulberry32: a seeded generator whose sequence does not repeat within the test.
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const alphabet = ['a', ',', '=', '%', '2', 'C', '3', 'D', '5'];
    const str = () => Array.from({ length: rand(4) }, () => alphabet[rand(alphabet.length)]).join('');
    const byId = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) {
      const pairs = Array.from({ length: 1 + rand(3) }, (): [string, string] => [str() || 'x', str()]);
      const id = incidentWorkflowId('r', pairs);
      const group = JSON.stringify(pairs);
      expect([id, byId.get(id) ?? group]).toEqual([id, group]);
      byId.set(id, group);
    }
    expect(byId.size).toBeGreaterThan(5_000);
  });
});
