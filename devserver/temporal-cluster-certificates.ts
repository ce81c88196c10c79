// Certificates for mutual TLS on a Temporal cluster's frontend: what the cluster is given (ClusterTls), and a set
// made with openssl for a cluster on this machine.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Certificates (PEM files) for mutual TLS on the frontend. */
export interface ClusterTls {
  /** CA that signed the frontend's certificate and every client certificate. */
  caFile: string;
  /** The frontend's serving certificate (subjectAltName 127.0.0.1). */
  serverCertFile: string;
  serverKeyFile: string;
  /** The certificate the server's own worker service presents to the frontend (clientAuth). */
  systemWorkerCertFile: string;
  systemWorkerKeyFile: string;
  /** The name clients check in the frontend's certificate (default localhost: a name, since Node refuses to send an IP as SNI). */
  serverName?: string;
}

/**
 * Certificates for a cluster on this machine, made with openssl: a CA, the frontend's serving certificate
 * (localhost and 127.0.0.1), and client certificates for the server's worker service and for pipewatch,
 * with the key usages rustls (the worker's TLS) insists on. Tests make theirs with test/support/tls.ts.
 */
export function makeClusterCertificates(dir: string): {
  tls: ClusterTls;
  client: { certFile: string; keyFile: string };
} {
  mkdirSync(dir, { recursive: true });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
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
    '/CN=pipewatch cluster CA',
  );
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  writeFileSync(
    join(dir, 'client.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  for (const [name, kind, cn] of [
    ['frontend', 'server', 'localhost'],
    ['system-worker', 'client', 'temporal-system-worker'],
    ['pipewatch', 'client', 'pipewatch-worker'],
  ] as const) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`,
    );
    openssl(
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
      '30',
      '-extfile',
      `${kind}.ext`,
    );
  }
  return {
    tls: {
      caFile: join(dir, 'ca.pem'),
      serverCertFile: join(dir, 'frontend.pem'),
      serverKeyFile: join(dir, 'frontend.key'),
      systemWorkerCertFile: join(dir, 'system-worker.pem'),
      systemWorkerKeyFile: join(dir, 'system-worker.key'),
    },
    client: { certFile: join(dir, 'pipewatch.pem'), keyFile: join(dir, 'pipewatch.key') },
  };
}
