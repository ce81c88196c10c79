// A real SMTP server (smtp-server, in process) that records what it accepted.
// It can hold messages mid-DATA (to kill a worker while a send is in flight),
// and be stopped and started again on the same port (an outage).
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

export interface ReceivedMail {
  subject: string;
  text: string;
  html: string;
  to: string;
  headers: ParsedMail['headers'];
  messageId?: string;
  inReplyTo?: string;
  /** The message as received, for tests that parse more (attachments). */
  raw: Buffer;
}

export class SmtpReceiver {
  readonly messages: ReceivedMail[] = [];
  /** DATA transfers that started, whether or not they were accepted. */
  attempts = 0;
  private server?: SMTPServer;
  private holding = false;
  private held: Array<() => void> = [];

  /** Successful AUTH commands (only when the receiver requires credentials). */
  logins = 0;

  private constructor(
    readonly port: number,
    private readonly auth?: { user: string; pass: string },
  ) {}

  /** With auth, every client must log in with these credentials (AUTH PLAIN/LOGIN over the plain connection). */
  static async start(options: { auth?: { user: string; pass: string } } = {}): Promise<SmtpReceiver> {
    const receiver = new SmtpReceiver(await freePort(), options.auth);
    await receiver.listen();
    return receiver;
  }

  async listen(): Promise<void> {
    const closed = new WeakSet<object>();
    const auth = this.auth;
    const server = new SMTPServer({
      authOptional: !auth,
      allowInsecureAuth: true,
      onAuth: (credentials, _session, callback) => {
        if (auth && credentials.username === auth.user && credentials.password === auth.pass) {
          this.logins++;
          return callback(null, { user: credentials.username });
        }
        callback(new Error('invalid credentials'));
      },
      disabledCommands: ['STARTTLS'],
      logger: false,
      onClose: (session) => closed.add(session),
      onData: (stream, session, callback) => {
        this.attempts++;
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const accept = async () => {
            // A client that vanished before the reply never learns the message was taken: do not count it.
            if (closed.has(session)) return callback(new Error('client gone'));
            const raw = Buffer.concat(chunks);
            const mail = await simpleParser(raw);
            this.messages.push({
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              to: Array.isArray(mail.to) ? mail.to.map((t) => t.text).join(', ') : (mail.to?.text ?? ''),
              headers: mail.headers,
              messageId: mail.messageId,
              inReplyTo: mail.inReplyTo,
              raw,
            });
            callback();
          };
          if (this.holding) this.held.push(() => void accept());
          else void accept();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Stop accepting connections (an outage). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** From now on, keep each message's DATA open until release(). */
  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const accept of this.held.splice(0)) accept();
  }

  async waitForHeld(timeoutMs = 60_000): Promise<void> {
    await waitFor(() => this.held.length > 0, 'a message held mid-send', timeoutMs);
  }

  matching(pattern: RegExp): ReceivedMail[] {
    return this.messages.filter((m) => pattern.test(m.subject));
  }

  async waitForCount(pattern: RegExp, count: number, timeoutMs = 60_000): Promise<ReceivedMail[]> {
    return waitFor(
      () => (this.matching(pattern).length >= count ? this.matching(pattern) : undefined),
      `${count} email(s) matching ${pattern}`,
      timeoutMs,
    );
  }
}
