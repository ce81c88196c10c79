// How the Temporal connection variables are read: the temporal CLI's names and
// meanings (paths or inline PEM data, 1/0/true/false, TLS implied by any TLS
// setting or an API key), and clear refusals of what cannot work.
// test/integration/temporal-tls.test.ts connects with these settings.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporalSettings } from '../../workers/connection.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-settings-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const CERT = '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n';
const CA = '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n';
const certFile = file('client.pem', CERT);
const keyFile = file('client.key', KEY);
const caFile = file('ca.pem', CA);
const text = (b: unknown) => Buffer.from(b as Uint8Array).toString('utf8');

describe('temporalSettings', () => {
  it('is plaintext to the local dev server when nothing is set', () => {
    expect(temporalSettings({})).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'pipewatch',
      tls: false,
      apiKey: undefined,
    });
  });

  it('reads certificate, key and CA from files, and the server name', () => {
    const s = temporalSettings({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: certFile,
      TEMPORAL_TLS_CLIENT_KEY_PATH: keyFile,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: caFile,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal.internal',
    });
    const tls = s.tls as {
      clientCertPair: { crt: Uint8Array; key: Uint8Array };
      serverRootCACertificate: Uint8Array;
      serverNameOverride: string;
    };
    expect([text(tls.clientCertPair.crt), text(tls.clientCertPair.key), text(tls.serverRootCACertificate)]).toEqual([
      CERT,
      KEY,
      CA,
    ]);
    expect(tls.serverNameOverride).toBe('frontend.temporal.internal');
  });

  it('reads the _DATA forms the CLI also accepts (PEM in the variable itself)', () => {
    const s = temporalSettings({
      TEMPORAL_TLS_CLIENT_CERT_DATA: CERT,
      TEMPORAL_TLS_CLIENT_KEY_DATA: KEY,
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: CA,
    });
    const tls = s.tls as { clientCertPair: { crt: Uint8Array; key: Uint8Array }; serverRootCACertificate: Uint8Array };
    expect([text(tls.clientCertPair.crt), text(tls.clientCertPair.key), text(tls.serverRootCACertificate)]).toEqual([
      CERT,
      KEY,
      CA,
    ]);
  });

  it('refuses a path and data for the same PEM, half a key pair, and an unreadable file', () => {
    expect(() =>
      temporalSettings({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: caFile, TEMPORAL_TLS_SERVER_CA_CERT_DATA: CA }),
    ).toThrow('set TEMPORAL_TLS_SERVER_CA_CERT_PATH or TEMPORAL_TLS_SERVER_CA_CERT_DATA, not both');
    expect(() => temporalSettings({ TEMPORAL_TLS_CLIENT_CERT_PATH: certFile })).toThrow(
      /set both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/,
    );
    expect(() =>
      temporalSettings({ TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'nope.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: keyFile }),
    ).toThrow(`TEMPORAL_TLS_CLIENT_CERT_PATH=${join(dir, 'nope.pem')}: cannot read the file (ENOENT)`);
  });

  it('an API key implies TLS with the system roots; TEMPORAL_TLS reads 1/0/true/false in any case', () => {
    expect(temporalSettings({ TEMPORAL_API_KEY: 'k' })).toMatchObject({ tls: {}, apiKey: 'k' });
    expect(temporalSettings({ TEMPORAL_TLS: '1' }).tls).toEqual({});
    expect(temporalSettings({ TEMPORAL_TLS: 'TRUE' }).tls).toEqual({});
    expect(temporalSettings({ TEMPORAL_TLS: '0', TEMPORAL_TLS_SERVER_CA_CERT_PATH: caFile }).tls).toBe(false);
    expect(temporalSettings({ TEMPORAL_TLS: 'False', TEMPORAL_API_KEY: 'k' }).tls).toBe(false);
    expect(() => temporalSettings({ TEMPORAL_TLS: 'yes' })).toThrow('TEMPORAL_TLS=yes: expected true or false');
  });

  it('refuses to skip host verification, which neither SDK connection can do', () => {
    expect(() => temporalSettings({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })).toThrow(
      /not supported: set TEMPORAL_TLS_SERVER_NAME/,
    );
    expect(temporalSettings({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'false' }).tls).toBe(false);
  });
});
