import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import nextPlugin from '@next/eslint-plugin-next';

/**
 * The flow of DESIGN.md as imports. Each lib layer may import itself and the layers it lists, nothing else: a
 * new import against the flow fails `npm run lint`. `types` are layers it may read types from only; `never` are
 * modules of an allowed layer that it may not import at all.
 * tests/layers/import-cycles.test.ts checks the same folders for cycles, whatever the import's spelling.
 */
const LAYERS = {
  parse: { files: ['lib/parse/**'], modules: ['parse'], may: [], types: ['capture'] },
  commands: { files: ['lib/commands/**'], modules: ['commands'], may: ['parse'], types: ['capture'] },
  capture: { files: ['lib/capture/**'], modules: ['capture'], may: ['parse', 'commands'] },
  sources: { files: ['lib/sources/**', 'lib/lab/**', 'lib/kube/**'], modules: ['sources', 'lab', 'kube'], may: ['capture', 'commands', 'parse'] },
  topology: { files: ['lib/topology/**'], modules: ['topology'], may: ['capture', 'parse'] },
  diagnose: { files: ['lib/diagnose/**', 'lib/analyze.ts'], modules: ['diagnose', 'analyze'], may: ['capture', 'parse', 'topology'] },
  snapshot: { files: ['lib/snapshot/**'], modules: ['snapshot'], may: ['capture', 'parse', 'topology', 'diagnose'] },
  graph: { files: ['lib/graph/**'], modules: ['graph'], may: ['capture', 'parse', 'topology', 'diagnose', 'snapshot'] },
  view: { files: ['lib/view/**'], modules: ['view'], may: ['capture', 'parse', 'topology', 'diagnose', 'snapshot', 'graph'] },
  diff: { files: ['lib/diff/**'], modules: ['diff'], may: ['capture', 'parse', 'topology', 'diagnose', 'snapshot', 'graph', 'view'] },
  export: { files: ['lib/export/**'], modules: ['export'], may: ['capture', 'parse', 'topology', 'diagnose', 'snapshot', 'graph', 'view'] },
  store: {
    files: ['lib/store/**'],
    modules: ['store'],
    may: ['capture', 'snapshot'],
    types: ['parse', 'topology', 'diagnose'],
    never: { group: ['@/lib/snapshot/derive'], message: 'The store persists and loads: deriving and re-diagnosing a snapshot is lib/serve/snapshots.ts.' },
  },
  auth: { files: ['lib/auth/**'], modules: ['auth'], may: ['capture', 'sources', 'parse', 'topology', 'diagnose', 'snapshot', 'store'] },
  serve: {
    files: ['lib/serve/**'],
    modules: ['serve'],
    may: ['capture', 'sources', 'parse', 'topology', 'diagnose', 'snapshot', 'graph', 'view', 'diff', 'export', 'store', 'auth'],
  },
  analysis: {
    files: ['lib/analysis-*'],
    modules: ['analysis-job', 'analysis-thread'],
    may: ['capture', 'sources', 'parse', 'topology', 'diagnose', 'snapshot', 'graph', 'view', 'diff', 'export', 'store', 'auth', 'serve'],
  },
};

const paths = (layers) => layers.flatMap((name) => LAYERS[name].modules.map((m) => `@/lib/${m}`));
const flowMessage = (name) => `lib/${name} imports only ${['itself', ...LAYERS[name].may].join(', ')} (DESIGN.md; the table in eslint.config.mjs).`;

/** React, Next.js and the query client belong to app/ and components/; Cytoscape only as types, for the stylesheet. */
const UI_ONLY = [
  { group: ['react', 'react/*', 'react-dom', 'react-dom/*', 'next', 'next/*', '@tanstack/*'], message: 'lib/ has no React and no Next.js (STYLE.md).' },
  { group: ['cytoscape', 'cytoscape-*'], allowTypeImports: true, message: 'Cytoscape runs in the canvas owner (components/TopologyCanvas.tsx); lib/ reads its types only.' },
];

/** A relative import that leaves its layer folder would slip past the table above, so layers meet by `@/lib/…`. */
const RELATIVE_ESCAPE = {
  regex: `^\\.\\./\\.\\./|^\\.\\./(${Object.values(LAYERS)
    .flatMap((l) => l.modules)
    .join('|')})(/|\\.|$)`,
  message: 'Import another layer by its @/lib path.',
};

function flowRule(name, extra = []) {
  const layer = LAYERS[name];
  const own = new Set([name, ...layer.may, ...(layer.types ?? []), ...extra]);
  const banned = Object.keys(LAYERS).filter((other) => !own.has(other));
  const patterns = [
    { group: ['@/app', '@/components'], message: 'lib/ never imports app/ or components/.' },
    ...UI_ONLY,
    RELATIVE_ESCAPE,
    ...(banned.length > 0 ? [{ group: paths(banned), message: flowMessage(name) }] : []),
    ...(layer.types ? [{ group: paths(layer.types), allowTypeImports: true, message: `${flowMessage(name)} Types only from ${layer.types.join(', ')}.` }] : []),
    ...(layer.never ? [layer.never] : []),
  ];
  return { 'no-restricted-imports': ['error', { patterns }] };
}

/**
 * Imports the table cannot say by folder, each allowed in its one file: the parse entry hands each record to the
 * parser its command's declaration names (lib/commands), while the parsers themselves sit below the declarations.
 */
const KNOWN_CROSSINGS = [{ layer: 'parse', files: ['lib/parse/index.ts'], allow: ['commands'] }];

const layerRules = [
  ...Object.entries(LAYERS).map(([name, layer]) => ({ files: layer.files, rules: flowRule(name) })),
  ...KNOWN_CROSSINGS.map(({ layer, files, allow }) => ({ files, rules: flowRule(layer, allow) })),
];

/** The UI gets typed JSON (DESIGN.md §5): it never opens the store, parses command output or reaches a host. */
const componentRules = {
  files: ['components/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['@/app'], message: 'components/ never import app/.' },
          {
            group: paths(['store', 'auth', 'serve', 'analysis']),
            message: 'Components never import the store or server-only code: they read the API through components/queries.ts.',
          },
          {
            group: paths(['capture', 'sources', 'parse', 'topology', 'diagnose']),
            allowTypeImports: true,
            message: 'Components never parse, capture or diagnose: import the types only, and read the results from the API.',
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', '.next/', 'dist/', 'data/', 'test-results/', 'next-env.d.ts', 'public/', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks, '@next/next': nextPlugin },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...nextPlugin.configs.recommended.rules,
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
  componentRules,
);
