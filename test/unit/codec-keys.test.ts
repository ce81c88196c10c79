// Where a process finds its payload keys: the environment first, then the key
// file `pipewatch start` made in the data directory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecKeys, newKeyLine } from '../../workers/codec.js';

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
    expect(() => codecKeys({ PIPEWATCH_CODEC_KEY_FILE: join(dir, 'missing.keys') })).toThrow(/PIPEWATCH_CODEC_KEY_FILE=.*missing\.keys: cannot read it \(ENOENT\)/);
  });
});
