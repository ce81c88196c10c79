// The docs say what the code does: facts that are generated from code — the search attributes, the
// history store's tables, the configuration's keys, the top-level folders — are compared with the
// page that lists them, so a change to one without the other fails here. And the README stays a
// first page: under 12 KB, every relative link in it and in docs/*.md reaching a file (and a
// heading, when it names one), its one YAML example valid.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { MIGRATIONS } from '../../store/migrations.js';
import { formatProblem, validateConfigText } from '../../config/load.js';

const ROOT = process.cwd();
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const DOCS = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const PAGES = ['README.md', 'BENCHMARKS.md', ...DOCS];

/** The text between a page's "generated facts" markers: the part this file checks. */
function facts(page: string): string {
  const text = read(page);
  const start = text.indexOf('<!-- generated facts');
  const end = text.indexOf('<!-- end of generated facts -->');
  if (start < 0 || end < start)
    throw new Error(`${page} has no <!-- generated facts … --> … <!-- end of generated facts --> section`);
  return text.slice(start, end);
}

/** The backticked names in the first column of a markdown table. */
function firstColumn(text: string): string[] {
  return [...text.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
}

/** A heading's anchor as GitHub makes it: lower case, punctuation but - and _ dropped, spaces as -. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
}

describe('README is a first page', () => {
  it('is under 12 KB', () => {
    expect(Buffer.byteLength(read('README.md'))).toBeLessThan(12 * 1024);
  });

  it('shows the diagram and the two commands, and links every reference page', () => {
    const readme = read('README.md');
    expect(readme).toContain('monitorWorkflow: collect (activity → connector)');
    expect(readme).toMatch(/npm start {3}#/);
    expect(readme).toMatch(/npm test {4}#/);
    for (const page of [
      'CONFIGURATION',
      'PERSPECTIVES',
      'INCIDENTS',
      'OPERATIONS',
      'EXAMPLE',
      'PRODUCTION',
      'UPGRADING',
      'CONTRIBUTING',
      'ARCHITECTURE',
    ]) {
      expect(readme).toContain(`](docs/${page}.md)`);
    }
    expect(readme).toContain('](BENCHMARKS.md)');
  });

  it('its configuration example is valid as written', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(read('README.md'))![1]!;
    const v = validateConfigText(yaml, 'pipewatch.yaml', { env: false });
    expect(v.problems.map(formatProblem)).toEqual([]);
  });
});

describe('every relative link resolves', () => {
  it.each(PAGES)('%s', (page) => {
    const text = read(page).replace(/```[\s\S]*?```/g, '');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:)/.test(target!)) continue;
      const [path, hash] = target!.split('#') as [string, string | undefined];
      const file = path === '' ? join(ROOT, page) : resolve(ROOT, dirname(page), decodeURIComponent(path));
      if (!existsSync(file)) broken.push(`${target}: no such file`);
      else if (hash && file.endsWith('.md') && !anchorsOf(file).has(hash)) broken.push(`${target}: no such heading`);
    }
    expect(broken).toEqual([]);
  });
});

describe('the README and the reference pages name files that exist', () => {
  // Pages whose text names source files (connectors/…, store/migrations.ts): a file moved without
  // its mention fails here. Paths the tests or Temporal's tools make at run time are not files here.
  const REFERENCE = [
    'README.md',
    ...[
      'CONFIGURATION',
      'PERSPECTIVES',
      'INCIDENTS',
      'OPERATIONS',
      'EXAMPLE',
      'CONTRIBUTING',
      'UPGRADING',
      'PRODUCTION',
    ].map((p) => `docs/${p}.md`),
  ];
  const MADE_AT_RUN_TIME = ['test/artifacts/', 'schema/postgresql/', 'dist/'];
  const folders = readdirSync(ROOT).filter(
    (f) => !f.startsWith('.') && f !== 'node_modules' && statSync(join(ROOT, f)).isDirectory(),
  );
  const mention = new RegExp(`(?<![\\w./-])((?:${folders.join('|')})/[\\w./-]*\\w)`, 'g');

  it.each(REFERENCE)('%s', (page) => {
    // Link targets are checked (relative to the page) above; this reads the words around them.
    const text = read(page).replace(/\]\([^)\s]+\)/g, ']');
    const missing = [...new Set([...text.matchAll(mention)].map((m) => m[1]!))].filter(
      (path) => !MADE_AT_RUN_TIME.some((p) => path.startsWith(p)) && !existsSync(join(ROOT, path)),
    );
    expect(missing).toEqual([]);
  });
});

describe('generated facts match the pages that list them', () => {
  it('docs/PRODUCTION.md names every search attribute, with its type and how many of each', () => {
    const text = read('docs/PRODUCTION.md');
    const bullet = text.slice(
      text.indexOf('- **Search attributes**'),
      text.indexOf('\n- **', text.indexOf('- **Search attributes**') + 1),
    );
    const listed = (kind: string) => {
      const m = new RegExp(`(\\w+) ${kind} \\(([^)]*)\\)`).exec(bullet.replace(/\s+/g, ' '));
      if (!m) throw new Error(`the search attributes bullet has no "<number> ${kind} (…)"`);
      return { count: m[1], names: [...m[2]!.matchAll(/`(\w+)`/g)].map((x) => x[1]).sort() };
    };
    const words = [
      'zero',
      'one',
      'two',
      'three',
      'four',
      'five',
      'six',
      'seven',
      'eight',
      'nine',
      'ten',
      'eleven',
      'twelve',
    ];
    const ofType = (type: SearchAttributeType) =>
      SEARCH_ATTRIBUTES.filter((a) => a.type === type)
        .map((a) => a.name)
        .sort();
    const keyword = ofType(SearchAttributeType.KEYWORD);
    const lists = ofType(SearchAttributeType.KEYWORD_LIST);
    expect(keyword.length + lists.length).toBe(SEARCH_ATTRIBUTES.length);
    expect(listed('Keyword attributes')).toEqual({ count: words[keyword.length], names: keyword });
    expect(listed('KeywordLists')).toEqual({ count: words[lists.length], names: lists });
  });

  it("docs/PRODUCTION.md lists the history store's tables", () => {
    const created = MIGRATIONS.flatMap((m) => [...m.sql('s').matchAll(/CREATE TABLE s\.(\w+)/g)].map((x) => x[1]!));
    const dropped = MIGRATIONS.flatMap((m) =>
      [...m.sql('s').matchAll(/DROP TABLE (?:IF EXISTS )?s\.(\w+)/g)].map((x) => x[1]!),
    );
    const tables = [...created.filter((t) => !dropped.includes(t)), 'schema_migrations'];
    expect(firstColumn(facts('docs/PRODUCTION.md')).sort()).toEqual(tables.sort());
  });

  describe("docs/CONFIGURATION.md lists the configuration's keys and types (schema/pipewatch.schema.json)", () => {
    type Node = Record<string, unknown>;
    const schema = JSON.parse(read('schema/pipewatch.schema.json')) as { properties: Record<string, Node> };
    /** Every `type` constant under a node: the kinds of connector, channel or check it accepts. */
    const kinds = (node: unknown): string[] => {
      const out = new Set<string>();
      const walk = (n: unknown) => {
        if (n === null || typeof n !== 'object') return;
        const type = ((n as Node).properties as Node | undefined)?.type as Node | undefined;
        if (typeof type?.const === 'string') out.add(type.const);
        for (const v of Object.values(n)) walk(v);
      };
      walk(node);
      return [...out].sort();
    };
    const page = facts('docs/CONFIGURATION.md');
    const line = (label: string) => {
      const at = page.indexOf(`${label}:`);
      if (at < 0) throw new Error(`no "${label}:" line`);
      return [...page.slice(at, page.indexOf('\n\n', at)).matchAll(/`(\w+)`/g)].map((m) => m[1]!).sort();
    };

    it('every top-level key', () => {
      expect(firstColumn(page).sort()).toEqual(Object.keys(schema.properties).sort());
    });
    it('every connector type', () => expect(line('Connector types')).toEqual(kinds(schema.properties.connectors)));
    it('every channel type', () => expect(line('Channel types')).toEqual(kinds(schema.properties.channels)));
    it('every check type', () => {
      const check = ((schema.properties.monitors!.items as Node).properties as Node).check;
      expect(line('Check types')).toEqual(kinds(check));
    });
  });

  it('docs/CONTRIBUTING.md describes every top-level folder, and only folders that exist', () => {
    const text = read('docs/CONTRIBUTING.md');
    const layout = /## Development\n\n```\n([\s\S]*?)```/.exec(text)![1]!;
    const described = [...layout.matchAll(/^(\S+)\/ /gm)].map((m) => m[1]!).sort();
    const ignored = new Set(['node_modules', 'dist', 'coverage']);
    const folders = readdirSync(ROOT)
      .filter((f) => !f.startsWith('.') && !ignored.has(f) && statSync(join(ROOT, f)).isDirectory())
      .sort();
    expect(described).toEqual(folders);
  });
});
