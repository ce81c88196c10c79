// Payload encryption: every payload pipewatch writes to Temporal — workflow
// arguments, results, signals, updates (an archive password an operator
// types), memos, failure messages — is AES-256-GCM encrypted before it
// leaves the process, so workflow history holds ciphertext only. Keys come
// from PIPEWATCH_CODEC_KEYS ("id:base64key,…", the first encrypts, all
// decrypt: rotate by putting a new key first) or PIPEWATCH_CODEC_KEY_FILE, and
// otherwise from the key file `pipewatch start` made in the data directory.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { dataDir } from '../store/open.js';

const { temporal } = proto;

export const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';

export class CodecKeyError extends Error {}

export interface CodecKeys {
  current: string;
  keys: Map<string, Buffer>;
}

/** "id:base64,id2:base64" (commas or new lines). */
export function parseKeys(text: string, where: string): CodecKeys {
  const keys = new Map<string, Buffer>();
  let current: string | undefined;
  // Comment lines first: a comment may hold commas.
  const entries = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of entries) {
    const m = /^([A-Za-z0-9._-]+):([A-Za-z0-9+/=]+)$/.exec(item);
    if (!m) throw new CodecKeyError(`${where}: an entry is not "<key id>:<base64 key>"`);
    const key = Buffer.from(m[2]!, 'base64');
    if (key.length !== 32)
      throw new CodecKeyError(
        `${where}: key "${m[1]}" is ${key.length} bytes; AES-256 needs 32 (generate one with: pipewatch codec-key)`,
      );
    keys.set(m[1]!, key);
    current ??= m[1]!;
  }
  if (!current) throw new CodecKeyError(`${where}: no key`);
  return { current, keys };
}

/** The key file `pipewatch start` makes in the data directory (PIPEWATCH_DATA_DIR, default .pipewatch). */
export const dataDirKeyFile = (env: NodeJS.ProcessEnv = process.env) => join(dataDir(env), 'codec.keys');

/**
 * The keys this process uses: PIPEWATCH_CODEC_KEYS, else PIPEWATCH_CODEC_KEY_FILE, else the data directory's key
 * file when there is one (so the CLI next to `pipewatch start` reads what its worker wrote); undefined when none
 * (payloads then stay plain).
 */
export function codecKeys(env: NodeJS.ProcessEnv = process.env): CodecKeys | undefined {
  if (env.PIPEWATCH_CODEC_KEYS) return parseKeys(env.PIPEWATCH_CODEC_KEYS, 'PIPEWATCH_CODEC_KEYS');
  const file = env.PIPEWATCH_CODEC_KEY_FILE || (existsSync(dataDirKeyFile(env)) ? dataDirKeyFile(env) : undefined);
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CodecKeyError(
      `PIPEWATCH_CODEC_KEY_FILE=${file}: cannot read it (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  return parseKeys(text, file);
}

export function newKeyLine(id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** A key file for the embedded setup, created (readable by its owner only) when missing. */
export function ensureKeyFile(path: string): void {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `# pipewatch payload encryption keys: the first encrypts, all decrypt\n${newKeyLine()}\n`, {
    mode: 0o600,
  });
}

/**
 * Where this process looked for its payload keys, in words for an error message:
 * the variable that was set, or the file that was read or not found.
 */
export function keySource(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIPEWATCH_CODEC_KEYS) return 'PIPEWATCH_CODEC_KEYS';
  if (env.PIPEWATCH_CODEC_KEY_FILE) return `PIPEWATCH_CODEC_KEY_FILE=${env.PIPEWATCH_CODEC_KEY_FILE}`;
  const file = dataDirKeyFile(env);
  return existsSync(file)
    ? `the data directory's key file ${file}`
    : `nothing: PIPEWATCH_CODEC_KEYS and PIPEWATCH_CODEC_KEY_FILE are unset and ${file} does not exist`;
}

const KEY_ADVICE =
  'use the same keys as the workers: set PIPEWATCH_CODEC_KEYS or PIPEWATCH_CODEC_KEY_FILE, or run where the data directory of `pipewatch start` is (PIPEWATCH_DATA_DIR, default .pipewatch)';

/** Without keys: plain payloads pass; an encrypted one is refused with what to do, not "Unknown encoding". */
export class MissingKeyCodec implements PayloadCodec {
  constructor(private readonly source: string) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    for (const payload of payloads) {
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() === ENCODING) {
        throw new CodecKeyError(
          `this workflow's payloads are encrypted and this process has no payload key (looked at ${this.source}); ${KEY_ADVICE}`,
        );
      }
    }
    return payloads;
  }
}

export class AesGcmCodec implements PayloadCodec {
  constructor(
    private readonly keys: CodecKeys,
    private readonly source = 'the configured keys',
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.keys.get(this.keys.current)!;
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: Buffer.from(ENCODING), [KEY_ID]: Buffer.from(this.keys.current) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCODING) return payload;
      const id = Buffer.from(payload.metadata?.[KEY_ID] ?? []).toString();
      const key = this.keys.keys.get(id);
      if (!key) {
        throw new CodecKeyError(
          `a payload is encrypted with key "${id}", which this process does not have (it has ${[...this.keys.keys.keys()].map((k) => `"${k}"`).join(', ')} from ${this.source}); ${KEY_ADVICE}`,
        );
      }
      const data = Buffer.from(payload.data ?? []);
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
        decipher.setAuthTag(data.subarray(data.length - 16));
        plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      } catch {
        // GCM's own words ("Unsupported state or unable to authenticate data") say nothing useful to an operator.
        throw new CodecKeyError(
          `a payload encrypted with key "${id}" does not decrypt with this process's key "${id}" (from ${this.source}): the two keys differ; ${KEY_ADVICE}`,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The failure converter module (workers/failure-converter.cjs, next to the sources or above dist/). */
export function failureConverterPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'failure-converter.cjs');
  return existsSync(beside) ? beside : join(here, '..', '..', 'workers', 'failure-converter.cjs');
}

/**
 * The data converter for clients and workers: failure messages always travel
 * as encoded payloads (workflow code does the same, see bundle.ts), and with
 * keys configured every payload is encrypted.
 */
export function dataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const keys = codecKeys(env);
  const source = keySource(env);
  return {
    failureConverterPath: failureConverterPath(),
    payloadCodecs: [keys ? new AesGcmCodec(keys, source) : new MissingKeyCodec(source)],
  };
}
