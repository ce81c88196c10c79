// Certificates made by the test with openssl: a CA, server certificates for
// 127.0.0.1 / localhost signed by it, and client certificates for mutual TLS.
// Each call to makeCertificates makes a new CA, unrelated to any other, so a
// test can hold a certificate from the wrong CA.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface IssuedCertificate {
  key: Buffer;
  cert: Buffer;
  keyFile: string;
  certFile: string;
}

export interface TestCertificates {
  caFile: string;
  ca: Buffer;
  server(days: number): IssuedCertificate;
  /** A certificate a client presents in mutual TLS (extendedKeyUsage clientAuth). */
  client(commonName: string, days?: number): IssuedCertificate;
}

export function makeCertificates(root: string, caName = 'pipewatch test CA'): TestCertificates {
  const dir = mkdtempSync(join(root, 'tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-subj',
    `/CN=${caName}`,
  );
  // rustls (the worker's TLS) insists on v3 end-entity certificates with a
  // subjectAltName and the key usage matching their role.
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  writeFileSync(
    join(dir, 'client.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  let n = 0;
  const issue = (kind: 'server' | 'client', subject: string, days: number): IssuedCertificate => {
    const name = `${kind}-${++n}`;
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      String(days),
      '-extfile',
      `${kind}.ext`,
    );
    const keyFile = join(dir, `${name}.key`);
    const certFile = join(dir, `${name}.pem`);
    return { key: readFileSync(keyFile), cert: readFileSync(certFile), keyFile, certFile };
  };
  return {
    caFile: join(dir, 'ca.pem'),
    ca: readFileSync(join(dir, 'ca.pem')),
    server: (days) => issue('server', '/CN=127.0.0.1', days),
    client: (commonName, days = 30) => issue('client', `/CN=${commonName}`, days),
  };
}
