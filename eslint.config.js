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
  message: `this layer may not import ${names.join(', ')} (engine layering: protocol, core -> kernels -> autograd -> tensor -> nn -> graph -> bridge -> host)`,
});
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

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
    rules: restrict(
      NODE,
      ELECTRON,
      UI,
      OUTSIDE,
      layers('core', 'kernels', 'autograd', 'tensor', 'nn', 'graph', 'host', 'bridge'),
    ),
  },
  {
    files: ['engine/core/**/*.ts'],
    rules: restrict(
      NODE,
      ELECTRON,
      UI,
      OUTSIDE,
      layers('kernels', 'autograd', 'tensor', 'nn', 'graph', 'host', 'bridge', 'protocol'),
    ),
  },
  {
    files: ['engine/kernels/**/*.ts'],
    rules: restrict(
      NODE,
      ELECTRON,
      UI,
      OUTSIDE,
      layers('autograd', 'tensor', 'nn', 'graph', 'host', 'bridge', 'protocol'),
    ),
  },
  {
    files: ['engine/autograd/**/*.ts'],
    rules: restrict(NODE, ELECTRON, UI, OUTSIDE, layers('tensor', 'nn', 'graph', 'host', 'bridge', 'protocol')),
  },
  {
    files: ['engine/tensor/**/*.ts'],
    rules: restrict(NODE, ELECTRON, UI, OUTSIDE, layers('nn', 'graph', 'host', 'bridge', 'protocol')),
  },
  {
    files: ['engine/nn/**/*.ts'],
    rules: restrict(NODE, ELECTRON, UI, OUTSIDE, layers('graph', 'host', 'bridge', 'protocol')),
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
