// Where a process finds its payload keys: the environment first, then the key
// file `pipewatch start` made in the data directory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AesGcmCodec, codecKeys, dataConverter, keySource, newKeyLine, parseKeys } from '../../workers/codec.js';

describe('codecKeys', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pipewatch-keys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the data directory's key file when no variable names keys", () => {
    writeFileSync(join(dir, 'codec.keys'), `${newKeyLine('kdata')}\n`);
    expect(codecKeys({ PIPEWATCH_DATA_DIR: dir })?.current).toBe('kdata');
  });

  it('prefers PIPEWATCH_CODEC_KEYS, then PIPEWATCH_CODEC_KEY_FILE, to the data directory', () => {
    writeFileSync(join(dir, 'codec.keys'), `${newKeyLine('kdata')}\n`);
    const other = join(dir, 'other.keys');
    writeFileSync(other, `${newKeyLine('kfile')}\n`);
    expect(codecKeys({ PIPEWATCH_DATA_DIR: dir, PIPEWATCH_CODEC_KEYS: newKeyLine('kenv') })?.current).toBe('kenv');
    expect(codecKeys({ PIPEWATCH_DATA_DIR: dir, PIPEWATCH_CODEC_KEY_FILE: other })?.current).toBe('kfile');
  });

  it('has no keys without a variable or a key file, and names an unreadable file', () => {
    expect(codecKeys({ PIPEWATCH_DATA_DIR: dir })).toBeUndefined();
    expect(() => codecKeys({ PIPEWATCH_CODEC_KEY_FILE: join(dir, 'missing.keys') })).toThrow(
      /PIPEWATCH_CODEC_KEY_FILE=.*missing\.keys: cannot read it \(ENOENT\)/,
    );
  });
});

describe('an operator without the right payload key', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pipewatch-keys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const plain = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"question"') };

  const encrypted = async (line: string) => new AesGcmCodec(parseKeys(line, 'test')).encode([plain]);

  it('is told which variable and file were looked at when it has no key at all', async () => {
    const env = { PIPEWATCH_DATA_DIR: dir };
    const [codec] = dataConverter(env).payloadCodecs!;
    await expect(codec!.decode(await encrypted(newKeyLine('k1')))).rejects.toThrow(
      `this workflow's payloads are encrypted and this process has no payload key (looked at nothing: PIPEWATCH_CODEC_KEYS and PIPEWATCH_CODEC_KEY_FILE are unset and ${join(dir, 'codec.keys')} does not exist)`,
    );
    // Plain payloads still pass without a key.
    expect(await codec!.decode([plain])).toEqual([plain]);
  });

  it('is told the key differs, naming where its key came from, instead of a GCM error', async () => {
    const file = join(dir, 'mine.keys');
    writeFileSync(file, `${newKeyLine('k1')}\n`);
    const env = { PIPEWATCH_CODEC_KEY_FILE: file };
    expect(keySource(env)).toBe(`PIPEWATCH_CODEC_KEY_FILE=${file}`);
    const [codec] = dataConverter(env).payloadCodecs!;
    const payloads = await encrypted(newKeyLine('k1'));
    await expect(codec!.decode(payloads)).rejects.toThrow(
      `does not decrypt with this process's key "k1" (from PIPEWATCH_CODEC_KEY_FILE=${file}): the two keys differ`,
    );
    await expect(codec!.decode(payloads)).rejects.not.toThrow(/authenticate/);
  });

  it('is told which key id it lacks and which it has', async () => {
    const [codec] = dataConverter({ PIPEWATCH_CODEC_KEYS: newKeyLine('k2') }).payloadCodecs!;
    await expect(codec!.decode(await encrypted(newKeyLine('k1')))).rejects.toThrow(
      'encrypted with key "k1", which this process does not have (it has "k2" from PIPEWATCH_CODEC_KEYS)',
    );
  });
});
