// The line splitter under a Kubernetes watch stream: lines across chunk
// boundaries (down to one byte a chunk, inside a multi-byte character), blank
// lines, and the limit on a line that never ends.
import { LineSplitter } from '../../connectors/kubernetes/watch.js';

const feed = (splitter: LineSplitter, chunks: Array<string | Buffer>) =>
  chunks.flatMap((c) => splitter.push(typeof c === 'string' ? Buffer.from(c) : c));

describe('watch stream lines', () => {
  it('joins lines split across chunks and skips blank ones', () => {
    expect(feed(new LineSplitter(1024), ['{"a":', '1}\n\n{"b"', ':2}\n{"c"', ':3}'])).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('reads a stream delivered one byte at a time, multi-byte characters included', () => {
    const text = '{"message":"Zurück – 再起動"}\n{"n":2}\n';
    const bytes = [...Buffer.from(text)].map((b) => Buffer.from([b]));
    expect(feed(new LineSplitter(1024), bytes)).toEqual(['{"message":"Zurück – 再起動"}', '{"n":2}']);
  });

  it('refuses a line longer than the limit, counted across chunks, and reads on afterwards', () => {
    const splitter = new LineSplitter(10);
    expect(feed(splitter, ['0123456789\n'])).toEqual(['0123456789']);
    expect(() => feed(splitter, ['01234', '56789', 'X'])).toThrow(
      'the watch stream sent a line longer than 10 bytes (the limit) without ending it',
    );
    expect(feed(splitter, ['ok\n'])).toEqual(['ok']);
  });
});
