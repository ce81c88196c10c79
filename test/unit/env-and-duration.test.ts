import { formatDuration, parseDuration } from '../../config/duration.js';
import { findEnvRefs, MissingEnvError, redactSecrets, redactSecretsDeep, resolveEnvRefs } from '../../config/env.js';

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1.5h', 5_400_000],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '5', '5 m', 'm5', '1h 30m'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it('formats as an operator writes', () => {
    expect([0, 999, 1_000, 90_000, 5_400_000, 90_061_000].map(formatDuration)).toEqual([
      '0s',
      '999ms',
      '1s',
      '1m30s',
      '1h30m',
      '1d1h1m1s',
    ]);
  });
});

describe('environment references', () => {
  const spec = {
    url: 'postgres://reader@${DB_HOST}:5432/lake',
    password: '${DB_PASSWORD}',
    nested: [{ token: '${API_TOKEN}' }],
  };

  it('finds every reference with its path', () => {
    expect(findEnvRefs(spec)).toEqual([
      { variable: 'DB_HOST', path: ['url'] },
      { variable: 'DB_PASSWORD', path: ['password'] },
      { variable: 'API_TOKEN', path: ['nested', 0, 'token'] },
    ]);
  });

  it('resolves them and collects the secret values for scrubbing', () => {
    const secrets = new Set<string>();
    const resolved = resolveEnvRefs(
      spec,
      { DB_HOST: 'db1', DB_PASSWORD: 's3cret!pw', API_TOKEN: 'tok-123456' },
      'connectors.lake',
      secrets,
    );
    expect(resolved).toEqual({
      url: 'postgres://reader@db1:5432/lake',
      password: 's3cret!pw',
      nested: [{ token: 'tok-123456' }],
    });
    expect(spec.password).toBe('${DB_PASSWORD}');
    expect(redactSecrets('auth failed for s3cret!pw (s3cret!pw encoded: s3cret!pw)', secrets)).toBe(
      'auth failed for *** (*** encoded: ***)',
    );
    expect(redactSecrets(`url postgres://u:${encodeURIComponent('s3cret!pw')}@h`, secrets)).toBe(
      'url postgres://u:***@h',
    );
  });

  it('masks only secrets: hosts, ports and user names from the environment are shown', () => {
    const secrets = new Set<string>();
    // Secret values made at run time; the non-secret ones are fixed so the message can be checked.
    const made = () => Math.random().toString(36).slice(2, 10);
    const [pgpass, creds, token] = [`pw-${made()}`, `svc:pw-${made()}`, `tok-${made()}`];
    const env = {
      PGHOST: 'db-main.internal',
      PGPORT: '54321',
      PGUSER: 'reader',
      PGPASS: pgpass,
      CREDS: creds,
      HOOK: `https://hooks.example/T000/B000/${made()}`,
      TOKEN: token,
    };
    resolveEnvRefs(
      {
        host: '${PGHOST}',
        port: '${PGPORT}',
        url: 'postgres://${PGUSER}:${PGPASS}@${PGHOST}:${PGPORT}/lake',
        other: 'https://${CREDS}@api.example/v1?token=${TOKEN}',
        webhookUrl: '${HOOK}',
      },
      env,
      'connectors.lake',
      secrets,
    );
    expect([...secrets].sort()).toEqual([env.HOOK, creds, pgpass, token].sort());
    expect(redactSecrets('could not reach db-main.internal:54321 as reader', secrets)).toBe(
      'could not reach db-main.internal:54321 as reader',
    );
  });

  it('names a missing variable and where it is used, never a value', () => {
    expect(() => resolveEnvRefs(spec, { DB_HOST: 'db1' }, 'connectors.lake')).toThrow(
      new MissingEnvError('DB_PASSWORD', 'connectors.lake.password'),
    );
    expect(() => resolveEnvRefs(spec, { DB_HOST: 'db1' }, 'connectors.lake')).toThrow(
      'environment variable DB_PASSWORD is not set (referenced by connectors.lake.password)',
    );
  });
});

describe('redacting a collected result', () => {
  it('removes secrets from every string of a measurement, keys included, and leaves the rest as it was', () => {
    const when = new Date('2026-11-26T10:00:00Z');
    const measurement = {
      value: 0.25,
      unit: 'seconds',
      failed: [{ condition: '[BODY].status == UP', reason: 'got "Bearer tok-abcdef1234"', severity: 'critical' }],
      details: {
        status: 500,
        headers: { 'x-echo': 'tok-abcdef1234', 'tok-abcdef1234': 'as a key' },
        sample: ['a', 'tok-abcdef1234/x'],
        at: when,
        none: null,
      },
    };
    const redacted = redactSecretsDeep(measurement, new Set(['tok-abcdef1234']));
    expect(JSON.stringify(redacted)).not.toContain('tok-abcdef1234');
    expect(redacted).toEqual({
      value: 0.25,
      unit: 'seconds',
      failed: [{ condition: '[BODY].status == UP', reason: 'got "Bearer ***"', severity: 'critical' }],
      details: {
        status: 500,
        headers: { 'x-echo': '***', '***': 'as a key' },
        sample: ['a', '***/x'],
        at: when,
        none: null,
      },
    });
    expect(measurement.details.headers['x-echo']).toBe('tok-abcdef1234'); // a copy, not an edit
    expect(redactSecretsDeep(measurement, [])).toBe(measurement);
  });
});
