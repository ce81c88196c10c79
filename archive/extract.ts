// Extracting (possibly password-protected) zip archives safely: ZipCrypto and
// AES entries, limits on entries, total size and compression ratio (zip
// bombs), and no entry written outside the destination (zip-slip). Files are
// extracted into a scratch directory first and moved into place only when all
// of them came out, so a wrong password leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { configure, Uint8ArrayReader, Uint8ArrayWriter, ZipReader, type Entry } from '@zip.js/zip.js';

configure({ useWebWorkers: false });

export interface ExtractLimits {
  maxEntries: number;
  maxBytes: number;
  /** Largest uncompressed/compressed ratio of one entry. */
  maxRatio: number;
}

export const DEFAULT_LIMITS: ExtractLimits = { maxEntries: 10_000, maxBytes: 1024 ** 3, maxRatio: 200 };

export type ExtractOutcome =
  | { status: 'extracted'; files: number; bytes: number; destination: string }
  | { status: 'password-required' }
  | { status: 'wrong-password' };

/** The archive itself is dangerous or broken; no password will change that. */
export class UnsafeArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeArchiveError';
  }
}

/** Where an entry would land, or an error when it would land outside the destination. */
export function entryTarget(destination: string, name: string): string {
  const clean = name.replace(/\\/g, '/');
  if (isAbsolute(clean) || /^[A-Za-z]:/.test(clean))
    throw new UnsafeArchiveError(`entry "${name}" has an absolute path (zip-slip)`);
  const target = resolve(destination, normalize(clean));
  if (target !== resolve(destination) && !target.startsWith(resolve(destination) + sep)) {
    throw new UnsafeArchiveError(`entry "${name}" would be written outside the destination (zip-slip)`);
  }
  return target;
}

function checkLimits(entries: Entry[], archive: string, limits: ExtractLimits): void {
  if (entries.length > limits.maxEntries)
    throw new UnsafeArchiveError(`${archive} has ${entries.length} entries; the limit is ${limits.maxEntries}`);
  let total = 0;
  for (const e of entries) {
    total += e.uncompressedSize;
    if (e.compressedSize > 0 && e.uncompressedSize / e.compressedSize > limits.maxRatio) {
      throw new UnsafeArchiveError(
        `entry "${e.filename}" expands ${Math.round(e.uncompressedSize / e.compressedSize)}× (limit ${limits.maxRatio}×): a zip bomb?`,
      );
    }
  }
  if (total > limits.maxBytes)
    throw new UnsafeArchiveError(`${archive} expands to ${total} bytes; the limit is ${limits.maxBytes}`);
}

export async function extractZip(
  archive: string,
  destination: string,
  options: { password?: string; limits?: ExtractLimits } = {},
): Promise<ExtractOutcome> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const size = (await stat(archive)).size;
  if (size > limits.maxBytes)
    throw new UnsafeArchiveError(`${archive} is ${size} bytes; the limit is ${limits.maxBytes}`);
  let reader: ZipReader<unknown>;
  let entries: Entry[];
  try {
    reader = new ZipReader(new Uint8ArrayReader(new Uint8Array(await readFile(archive))));
    entries = await reader.getEntries();
  } catch (err) {
    const message = (err as Error).message;
    if (/unsafe filename/i.test(message))
      throw new UnsafeArchiveError(`${archive} has an entry whose path leaves the destination (zip-slip)`);
    throw new UnsafeArchiveError(`${archive} is not a readable zip archive (${message})`);
  }
  try {
    // Names and sizes are readable without the password: refuse dangerous archives first.
    for (const e of entries) entryTarget(destination, e.filename);
    checkLimits(entries, archive, limits);
    if (entries.some((e) => e.encrypted) && !options.password) return { status: 'password-required' };

    const scratch = join(dirname(resolve(destination)), `.pipewatch-extract-${randomBytes(6).toString('hex')}`);
    let bytes = 0;
    let files = 0;
    try {
      for (const e of entries) {
        if (e.directory) continue;
        let data: Uint8Array;
        try {
          data = await e.getData!(new Uint8ArrayWriter(), {
            password: e.encrypted ? options.password : undefined,
            checkSignature: true,
          });
        } catch (err) {
          const message = (err as Error).message;
          // ZipCrypto's one-byte check lets about 1 in 256 wrong passwords through to a failed CRC.
          if (options.password && /password|signature|crc/i.test(message)) return { status: 'wrong-password' };
          throw new UnsafeArchiveError(`entry "${e.filename}" cannot be read (${message})`);
        }
        bytes += data.length;
        if (bytes > limits.maxBytes)
          throw new UnsafeArchiveError(`${archive} expands beyond ${limits.maxBytes} bytes: a zip bomb?`);
        const target = entryTarget(scratch, e.filename);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, data);
        files++;
      }
      await mkdir(destination, { recursive: true });
      for (const e of entries) {
        if (e.directory) continue;
        const to = entryTarget(destination, e.filename);
        await mkdir(dirname(to), { recursive: true });
        await rename(entryTarget(scratch, e.filename), to);
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    return { status: 'extracted', files, bytes, destination: resolve(destination) };
  } finally {
    await reader.close();
  }
}
