// A local SMTP server that stores every message as an .eml file, so the
// example's alerts are real emails a new user can open without a mail server.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface Outbox {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export async function startOutbox(options: {
  dir: string;
  port: number;
  onMessage?: (file: string, subject: string) => void;
}): Promise<Outbox> {
  mkdirSync(options.dir, { recursive: true });
  let seq = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const headers = raw
          .toString('utf8')
          .split(/\r?\n\r?\n/)[0]!
          .replace(/\r?\n[ \t]+/g, ' ');
        const subject = /^Subject: (.*)$/m.exec(headers)?.[1]?.trim() ?? '(no subject)';
        const file = join(options.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${++seq}.eml`);
        writeFileSync(file, raw);
        options.onMessage?.(file, subject);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    port: options.port,
    dir: options.dir,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
