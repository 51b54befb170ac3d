// Lint rules, including the layer rules that keep the engine pure: each engine
// folder may import only the layers below it, and engine/protocol, at the bottom,
// is all the app may import (see docs/architecture.md, "What each layer may import").
import tseslint from 'typescript-eslint';

const NODE = {
  regex: '^(node:|fs$|path$|os$|child_process$|worker_threads$|url$)',
  message: 'engine code must not import Node APIs (only engine/host/node may)',
};
const ELECTRON = { regex: '^electron', message: 'only electron/ may import Electron' };
const UI = { regex: '^(react|react-dom|@xyflow|d3|zustand)', message: 'the engine must not import UI libraries' };
const OUTSIDE = { regex: '(^|/)(renderer|electron)/', message: 'the engine must not import the app' };

/** Forbids relative imports of the named engine folders. */
const layers = (...names) => ({
  regex: `^(\\.\\./)+(${names.join('|')})(/|$)`,
  message: `this layer may not import ${names.join(', ')} (engine layering: protocol, core -> kernels -> autograd -> tensor -> nn -> ops -> graph -> bridge -> host)`,
});
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
/** What the bottom of the engine may not import: what engine/protocol and the op declarations share. */
const PROTOCOL_LEVEL = [
  NODE,
  ELECTRON,
  UI,
  OUTSIDE,
  layers('core', 'kernels', 'autograd', 'tensor', 'nn', 'graph', 'host', 'bridge'),
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'test-results/**', '**/*.py', 'build/wasm/out/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  { files: ['engine/**/*.ts'], rules: restrict(NODE, ELECTRON, UI, OUTSIDE) },
  {
    files: ['engine/protocol/**/*.ts'],
    rules: restrict(...PROTOCOL_LEVEL, {
      regex: '^(\\.\\./)+ops/(?!catalog$)',
      message: 'engine/protocol may import only the op declarations (engine/ops/catalog.ts)',
    }),
  },
  {
    files: ['engine/core/**/*.ts'],
    rules: restrict(
      NODE,
      ELECTRON,
      UI,
      OUTSIDE,
      layers('kernels', 'autograd', 'tensor', 'nn', 'ops', 'graph', 'host', 'bridge', 'protocol'),
    ),
  },
  {
    files: ['engine/kernels/**/*.ts'],
    rules: restrict(
      NODE,
      ELECTRON,
      UI,
      OUTSIDE,
      layers('autograd', 'tensor', 'nn', 'ops', 'graph', 'host', 'bridge', 'protocol'),
    ),
  },
  {
    files: ['engine/autograd/**/*.ts'],
    rules: restrict(NODE, ELECTRON, UI, OUTSIDE, layers('tensor', 'nn', 'ops', 'graph', 'host', 'bridge', 'protocol')),
  },
  {
    files: ['engine/tensor/**/*.ts'],
    rules: restrict(NODE, ELECTRON, UI, OUTSIDE, layers('nn', 'ops', 'graph', 'host', 'bridge', 'protocol')),
  },
  {
    files: ['engine/nn/**/*.ts'],
    rules: restrict(NODE, ELECTRON, UI, OUTSIDE, layers('ops', 'graph', 'host', 'bridge', 'protocol')),
  },
  // An op's behaviour (engine/ops/<op>/op.ts) sits between nn and graph; its declaration
  // (spec.ts) and the list of declarations (catalog.ts) belong to the protocol level, which the
  // app imports. See Note [An op is one folder] in engine/ops/define.ts.
  { files: ['engine/ops/**/*.ts'], rules: restrict(NODE, ELECTRON, UI, OUTSIDE, layers('graph', 'host', 'bridge')) },
  {
    files: ['engine/ops/catalog.ts', 'engine/ops/*/spec.ts'],
    rules: restrict(...PROTOCOL_LEVEL, {
      regex: '^\\.\\.?/(op|define|index|params)$|^\\.\\./[^/]+/op$',
      message: "an op's declaration imports only engine/protocol and other declarations (the app loads it)",
    }),
  },
  { files: ['engine/graph/**/*.ts'], rules: restrict(NODE, ELECTRON, UI, OUTSIDE, layers('host', 'bridge')) },
  { files: ['engine/bridge/**/*.ts'], rules: restrict(NODE, ELECTRON, UI, OUTSIDE, layers('host')) },
  { files: ['engine/host/node/**/*.ts'], rules: restrict(ELECTRON, UI, OUTSIDE) },
  { files: ['engine/host/electron/**/*.ts', 'engine/host/web/**/*.ts'], rules: restrict(NODE, UI, OUTSIDE) },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: restrict(NODE, ELECTRON, {
      regex: '(^|/)engine/(?!protocol/|host/web/)',
      message: 'the renderer may import only engine/protocol (and the web worker entry by URL)',
    }),
  },
  {
    files: ['electron/**/*.ts'],
    rules: restrict(
      { regex: '(^|/)renderer/', message: 'electron/ must not import the renderer' },
      {
        regex: '(^|/)engine/(?!protocol/)',
        message: 'electron/ may import only engine/protocol',
      },
    ),
  },
);
