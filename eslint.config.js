// Lint and the rooms of docs/ARCHITECTURE.md, held by tools instead of prose.
//
// - typescript-eslint's recommended rules, plus no-floating-promises (a promise nobody awaits is a lost
//   activity result in a workflow and a lost error everywhere else), as temporalio/samples-typescript does.
// - The rooms: each folder's imports are restricted by ROOMS below (type-only imports are always allowed —
//   they are erased at compile time). `npm run lint` runs this; `npm test` runs it first (pretest).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const builtins = `node:.*|${builtinModules.filter((m) => !m.startsWith('_')).join('|')}`;
const nodeBuiltins = { regex: `^(${builtins})(/.*)?$`, message: 'no Node built-ins here' };
/** A third-party module other than those allowed (Node built-ins and relative imports have their own rules). */
const thirdPartyExcept = (allowed, message) => ({ regex: `^(?!(${allowed})$)(?!(${builtins})(/|$))(?![./])`, message });
/** An import of a project folder, from anywhere in the tree (relative specifiers). */
const folder = (name, except) => ({
  regex: `^(\\.\\.?/)+(.*/)?${name}/${except ? `(?!${except})` : ''}`,
  message: `this room may not import ${name}/${except ? ` (except ${except.replace(/\\/g, '')})` : ''}`,
});

/** Every folder with I/O, for the two deterministic rooms: only pure descriptors and config's duration/model pass. */
const outsideThePureCore = [
  folder('activities'),
  folder('connectors', 'descriptors\\.js|[a-z-]+/descriptor\\.js'),
  folder('channels'),
  folder('store'),
  folder('cli'),
  folder('ui'),
  folder('workers'),
  folder('schedules'),
  folder('reports'),
  folder('archive'),
  folder('logging'),
  folder('devserver'),
  folder('examples'),
  folder('config', 'duration\\.js|model\\.js'),
];

/**
 * The rooms table (docs/ARCHITECTURE.md "Rooms"): what each folder may NOT import as a value.
 * Deterministic code (workflows/, evaluation/) sees no I/O; I/O rooms do not reach into each other.
 */
const ROOMS = [
  {
    room: 'workflows',
    why: 'workflow code runs in the deterministic sandbox: the SDK, pure evaluation and pure descriptors only',
    forbid: [
      nodeBuiltins,
      {
        regex: '^@temporalio/(client|worker|activity|testing)$',
        message: 'workflow code uses @temporalio/workflow only',
      },
      thirdPartyExcept(
        '@temporalio/workflow|@temporalio/common',
        'no third-party modules in workflow code (they are bundled into the sandbox)',
      ),
      ...outsideThePureCore,
    ],
  },
  {
    room: 'evaluation',
    why: 'the pure core: shared by workflows, activities and the CLI; no I/O',
    forbid: [
      nodeBuiltins,
      thirdPartyExcept(
        '@temporalio/common|re2js',
        'the pure core uses no third-party modules but re2js and @temporalio/common',
      ),
      folder('workflows'),
      ...outsideThePureCore,
    ],
  },
  {
    room: 'activities',
    why: 'activities do the I/O; workflow code only for its types, its message definitions and its workflow functions',
    forbid: [folder('cli'), folder('ui'), folder('devserver'), folder('examples')],
  },
  {
    room: 'connectors',
    why: 'a connector talks to its system; it does not notify, store or run workflows',
    forbid: [
      folder('channels'),
      folder('activities'),
      folder('workflows'),
      folder('store'),
      folder('cli'),
      folder('ui'),
      folder('workers'),
    ],
  },
  {
    room: 'channels',
    why: 'a channel delivers a rendered message; it does not collect, store or run workflows',
    forbid: [
      folder('connectors'),
      folder('activities'),
      folder('workflows'),
      folder('store'),
      folder('cli'),
      folder('ui'),
      folder('workers'),
    ],
  },
  {
    room: 'store',
    why: 'the history store: PostgreSQL or PGlite; nothing above it',
    forbid: [
      folder('connectors'),
      folder('channels'),
      folder('activities'),
      folder('workflows'),
      folder('cli'),
      folder('ui'),
      folder('workers'),
      folder('schedules'),
    ],
  },
  {
    room: 'ui',
    why: 'the status page reads the store and Temporal; it changes nothing',
    forbid: [
      folder('activities'),
      folder('connectors'),
      folder('channels', 'render\\.js'),
      folder('cli'),
      folder('workers'),
    ],
  },
  {
    room: 'config',
    why: 'loading and checking the YAML; no I/O beyond reading it',
    forbid: [
      folder('activities'),
      folder('workflows'),
      folder('store'),
      folder('cli'),
      folder('ui'),
      folder('workers'),
      folder('channels', '[a-z-]+/schema\\.js|schemas\\.js|descriptors\\.js'),
    ],
  },
];

const roomBlocks = ROOMS.map(({ room, why, forbid }) => ({
  name: `pipewatch/rooms/${room}`,
  files: [`${room}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: forbid.map(({ regex, message }) => ({
          regex,
          message: `${message} — ${room}/: ${why} (docs/ARCHITECTURE.md, Rooms)`,
          allowTypeImports: true,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'schema/**', 'docs/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // A handle assigned once after the callbacks that clear it are defined (timers, sockets) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
      },
    },
  },
  ...roomBlocks,
  {
    // A file a reader can hold in mind: product modules stay under 500 lines (split at their seams, as
    // connectors/<type>/, store/history/ and cli/commands/ are). Tests and benchmarks are excepted.
    name: 'pipewatch/file-size',
    files: ['**/*.ts'],
    ignores: ['test/**', 'bench/**'],
    rules: { 'max-lines': ['error', { max: 500 }] },
  },
);
