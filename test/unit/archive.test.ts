import { entryTarget, UnsafeArchiveError } from '../../archive/extract.js';

describe('archive entry paths', () => {
  it.each(['../etc/passwd', 'a/../../b', '/etc/passwd', 'C:\\\\windows\\\\x', '..\\\\up.txt'])(
    'refuses %j (zip-slip)',
    (name) => {
      expect(() => entryTarget('/srv/in', name)).toThrow(UnsafeArchiveError);
    },
  );

  it('keeps safe names inside the destination', () => {
    expect(entryTarget('/srv/in', 'a/b/../c.txt')).toBe('/srv/in/a/c.txt');
    expect(entryTarget('/srv/in', './x')).toBe('/srv/in/x');
  });
});
