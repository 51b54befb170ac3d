/**
 * Writes the exported script from an ExportPlan: the module docstring and
 * imports, `class Model(nn.Module)`, `update()`, `main()` with the run loop,
 * and the recorder section.
 */
import type { GraphNode } from '../graph/document';
import { Chunks, Deferred, type Defer, type Write } from './chunks';
import { initExpr, pyEscape, pyFloat, type LiteralInit } from './literals';
import { datasetLines, datasetSections } from './dataset-py';
import { layerConstructor, opCode } from './ops-py';
import { OPTIMIZER_RECORDER, optimizerLines, zeroGradLines } from './optim-py';
import type { ExportPlan } from './plan';
import { compile } from '../graph/compile';
import { inferShapes } from '../graph/shapes';
import { RECORDER, recorderTables } from './recorder';

/** Init specs that replace the document's (e.g. the engine's seeded values), by `id` or `id.weight`. */
export type InitOverrides = ReadonlyMap<string, LiteralInit>;

const ind = (n: number) => ' '.repeat(n);

/**
 * Prepares the whole script: its text is built now (so errors come before the first
 * chunk); the returned function writes it, formatting the long literals into the chunks.
 */
export function writeScript(
  plan: ExportPlan,
  title: string,
  description: string,
  overrides: InitOverrides,
): (write: Write) => void {
  const deferred = new Deferred();
  const text = scriptText(plan, title, description, overrides, deferred.defer);
  return (write) => {
    const out = new Chunks(write);
    deferred.write(text, out);
    out.flush();
  };
}

/** The script's text, with `defer`'s placeholders where the literals go. */
function scriptText(
  plan: ExportPlan,
  title: string,
  description: string,
  overrides: InitOverrides,
  defer: Defer,
): string {
  const parts: string[] = [];
  parts.push(...opDefs(plan));
  const model = modelClass(plan, overrides, defer);
  if (model) parts.push(model);
  if (plan.update.length > 0) parts.push(updateFunction(plan));
  const isolated = isolatedLeaves(plan, overrides, defer);
  if (isolated.length > 0) {
    parts.push(
      [
        '# Tensor nodes that no op uses (the result still shows them).',
        ...isolated.flatMap((l) => leafLines(plan, l, overrides, defer, 0)),
      ].join('\n'),
    );
  }
  parts.push(...datasetSections(plan));
  parts.push(mainFunction(plan, overrides, defer));
  const code = parts.join('\n\n\n'); // the placeholders hold numbers only: no `nn.` or `F.` there
  const imports = ['import json', 'import sys', '', 'import torch'];
  if (/\bnn\./.test(code)) imports.push('import torch.nn as nn');
  if (/\bF\./.test(code)) imports.push('import torch.nn.functional as F');
  return `${header(plan, title, description)}\n${imports.join('\n')}\n\n\n${code}\n\n\n${helperSection(plan)}\n`;
}

function hasModel(plan: ExportPlan): boolean {
  return plan.layers.length > 0 || plan.forward.length > 0;
}

function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line !== '' && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    out.push(line);
  }
  return out;
}

/**
 * The script's opening: the graph's name and description as comments, then a docstring
 * of fixed text. User text is escaped to printable ASCII ({@link pyEscape}), so it cannot
 * end its comment line, and stays out of the first two lines, where Python would read a
 * `coding:` comment as the file's encoding.
 */
function header(plan: ExportPlan, title: string, description: string): string {
  const lines = ['# A PyTorch script exported from Autograd Studio.', '#'];
  if (title !== '') lines.push(`# Graph: ${pyEscape(title)}`, '#');
  if (description.trim() !== '') {
    const paragraphs = description.split(/\r\n|\r|\n/).map(pyEscape);
    lines.push(...wrapText(paragraphs.join('\n'), 92).map((l) => (l === '' ? '#' : `# ${l}`)), '#');
  }
  const n = plan.doc.run.iterations;
  const phases = [
    'setup',
    'forward (Model)',
    plan.doc.run.backward === null ? null : 'backward',
    plan.doc.run.optimizer ? 'opt.step()' : null,
    plan.update.length > 0 ? 'update' : null,
    plan.loop && plan.doc.run.feedback.length > 0 ? 'feedback' : null,
  ].filter((p): p is string => p !== null);
  const text = wrapText(
    `The graph runs ${n === 1 ? 'once' : `for ${n} iterations`}: ${phases.join(', ')}. ` +
      "Running this file prints the graph format's result JSON on stdout: every tensor, the " +
      "backward steps recorded from PyTorch's engine, iterations_run and the error PyTorch " +
      'raised, if any (the bookkeeping for that is at the bottom of the file).',
    92,
  );
  lines.push(`"""${text.join('\n')}`, '"""');
  return lines.join('\n');
}

/** The op's Python for one node (inputs' variables `x`, module expression `layer`). */
function nodeCode(plan: ExportPlan, node: GraphNode, x: ReadonlyMap<string, string>, layer: string) {
  const sources = plan.inputs.get(node.id)!;
  const run = plan.doc.run;
  const inputNumel = (port: string) => {
    const shape = inferredShapes(plan).get(sources.get(port)!)?.shape;
    return shape ? shape.reduce((a, b) => a * b, 1) : 0;
  };
  return opCode(node, x, layer, (port) => sources.get(port)!, {
    iterations: run.iterations,
    mode: run.mode,
    inputNumel,
  });
}

const SHAPES = new WeakMap<ExportPlan, ReturnType<typeof inferShapes>['ports']>();

/** The shapes of the plan's ports (the first iteration's), inferred once per plan. */
function inferredShapes(plan: ExportPlan): ReturnType<typeof inferShapes>['ports'] {
  let s = SHAPES.get(plan);
  if (!s) SHAPES.set(plan, (s = inferShapes(compile(plan.doc)).ports));
  return s;
}

/** The module-level statements the ops' Python needs, each once, in node order. */
function opDefs(plan: ExportPlan): string[] {
  const defs: string[] = [];
  for (const node of [...plan.forward, ...plan.update]) {
    const x = new Map([...plan.inputs.get(node.id)!].map(([port, src]) => [port, plan.names.v(src)]));
    const code = nodeCode(plan, node, x, node.impl.layer ? 'model' : '');
    if (typeof code !== 'string') for (const d of code.defs ?? []) if (!defs.includes(d)) defs.push(d);
  }
  return defs;
}

/** Python lines computing one forward/update node at indent `n`; `layerRef` is `self` or `model`. */
function nodeLines(plan: ExportPlan, node: GraphNode, n: number, layerRef: string): string[] {
  const v = plan.names.v(node.id);
  const x = new Map([...plan.inputs.get(node.id)!].map(([port, src]) => [port, plan.names.v(src)]));
  const layer = node.impl.layer ? `${layerRef}.${plan.names.attr(node.id)}` : '';
  const code = nodeCode(plan, node, x, layer);
  const out = typeof code === 'string' ? [] : code.lines.map((l) => `${ind(n)}${l}`);
  out.push(`${ind(n)}${v} = ${typeof code === 'string' ? code : code.expr}`);
  if (node.retainGrad) out.push(`${ind(n)}${v}.retain_grad()`);
  return out;
}

function layerLines(plan: ExportPlan, node: GraphNode, overrides: InitOverrides, defer: Defer): string[] {
  const attr = `self.${plan.names.attr(node.id)}`;
  const lines = [`        ${attr} = ${layerConstructor(node)}`];
  const layer = node.impl.layer!;
  const init = layer.init;
  const loads: string[] = [];
  for (const which of plan.owned.get(node.id)!) {
    const spec = overrides.get(`${node.id}.${which}`) ?? init[which];
    if (!spec) continue;
    const target = `${attr}.${which}`;
    if (spec.kind === 'zeros') loads.push(`nn.init.zeros_(${target})`);
    else if (spec.kind === 'ones') loads.push(`nn.init.ones_(${target})`);
    else if (spec.kind === 'full') loads.push(`nn.init.constant_(${target}, ${pyFloat(spec.value)})`);
    else {
      const prefix = `${target}.copy_(`;
      const shape = which === 'weight' ? layer.shapes.weight! : layer.shapes.bias!;
      const e = initExpr(spec, shape, 'float32', false, 12, 12 + prefix.length, defer);
      loads.push(`${prefix}${e.expr})`);
    }
  }
  if (loads.length > 0) lines.push('        with torch.no_grad():', ...loads.map((l) => `            ${l}`));
  if (!layer.requiresGrad) lines.push(`        ${attr}.requires_grad_(False)`);
  return lines;
}

function modelClass(plan: ExportPlan, overrides: InitOverrides, defer: Defer): string | null {
  if (!hasModel(plan)) return null;
  const lines = [
    'class Model(nn.Module):',
    '    """The forward phase of the graph; its layers are named after their nodes."""',
  ];
  if (plan.layers.length > 0) {
    lines.push('', '    def __init__(self):', '        super().__init__()');
    for (const l of plan.layers) lines.push(...layerLines(plan, l, overrides, defer));
  }
  if (plan.forward.length > 0) {
    const args = ['self', ...plan.forwardArgs.map((id) => plan.names.v(id))];
    lines.push('', `    def forward(${args.join(', ')}):`);
    for (const node of plan.forward) lines.push(...nodeLines(plan, node, 8, 'self'));
    lines.push(`        return ${plan.forwardReturns.map((id) => plan.names.v(id)).join(', ')}`);
  }
  return lines.join('\n');
}

function updateFunction(plan: ExportPlan): string {
  const args = [...(plan.updateUsesModel ? ['model'] : []), ...plan.updateArgs.map((id) => plan.names.v(id))];
  const lines = [
    `def update(${args.join(', ')}):`,
    '    """The update phase: runs after backward and reads the gradients."""',
  ];
  for (const node of plan.update) lines.push(...nodeLines(plan, node, 4, 'model'));
  lines.push(`    return ${plan.updateReturns.map((id) => plan.names.v(id)).join(', ')}`);
  return lines.join('\n');
}

function leafLines(plan: ExportPlan, node: GraphNode, overrides: InitOverrides, defer: Defer, indent = 4): string[] {
  const v = plan.names.v(node.id);
  const pad = ind(indent);
  const leaf = node.impl.leaf!;
  const fed = plan.fed.has(node.id);
  const rg = leaf.requiresGrad && !fed;
  const spec = overrides.get(node.id) ?? leaf.init;
  const e = initExpr(spec, leaf.shape, leaf.dtype, rg, indent, indent + v.length + 3, defer);
  const lines = [`${pad}${v} = ${e.expr}`];
  if (rg && !e.requiresGradInCall) lines.push(`${pad}${v}.requires_grad = True`);
  if (node.retainGrad && !fed && !leaf.requiresGrad) lines.push(`${pad}${v}.retain_grad()`);
  return lines;
}

/**
 * Tensor nodes that nothing uses after they are created (no op, no backward, no
 * feedback, no per-iteration statement). main() would leave them as unused locals, so
 * they are written at module level instead (the result still reports them).
 */
function isolatedLeaves(plan: ExportPlan, overrides: InitOverrides, defer: Defer): GraphNode[] {
  const run = plan.doc.run;
  const used = new Set<string>([...plan.forwardArgs, ...plan.updateArgs, ...plan.fed]);
  if (run.backward !== null) used.add(run.backward);
  if (plan.loop) for (const f of run.feedback) used.add(f.from);
  return plan.leaves.filter(
    (l) =>
      !used.has(l.id) &&
      leafLines(plan, l, overrides, defer).length === 1 &&
      !(plan.loop && run.zeroGrad && l.impl.leaf!.requiresGrad),
  );
}

function assign(vars: readonly string[], call: string): string {
  return vars.length === 0 ? call : `${vars.join(', ')} = ${call}`;
}

function mainFunction(plan: ExportPlan, overrides: InitOverrides, defer: Defer): string {
  const v = (id: string) => plan.names.v(id);
  const run = plan.doc.run;
  const lines = ['def main():'];
  const defaultInit = plan.layers.some((l) => {
    const init = l.impl.layer!.init;
    return plan.owned.get(l.id)!.some((w) => !init[w] && !overrides.has(`${l.id}.${w}`));
  });
  if (defaultInit)
    lines.push("    torch.manual_seed(0)  # PyTorch's default init for the layers the graph gives no values");
  if (hasModel(plan)) lines.push('    model = Model()', ...modeLine(plan));
  const isolated = new Set(isolatedLeaves(plan, overrides, defer));
  for (const leaf of plan.leaves) if (!isolated.has(leaf)) lines.push(...leafLines(plan, leaf, overrides, defer));
  lines.push(...optimizerLines(plan));

  const body: string[] = datasetLines(plan, plan.loop ? 'iteration' : '0');
  for (const leaf of plan.leaves.filter((l) => plan.fed.has(l.id))) {
    if (leaf.impl.leaf!.requiresGrad) body.push(`${v(leaf.id)}.requires_grad = True`);
    if (leaf.retainGrad) body.push(`${v(leaf.id)}.retain_grad()`);
  }
  const optimizerZeroGrad = plan.loop && run.zeroGrad ? zeroGradLines(plan) : null;
  if (optimizerZeroGrad) body.push(...optimizerZeroGrad);
  else if (plan.loop && run.zeroGrad) {
    if (plan.layers.length > 0) body.push('model.zero_grad(set_to_none=True)');
    for (const leaf of plan.leaves) if (leaf.impl.leaf!.requiresGrad) body.push(`${v(leaf.id)}.grad = None`);
  }
  const fedFrom = new Set(plan.loop ? run.feedback.map((f) => f.from) : []);
  if (plan.forward.length > 0) {
    const needed = (id: string) => id === run.backward || plan.updateArgs.includes(id) || fedFrom.has(id);
    const rets = plan.forwardReturns;
    const targets = rets.length > 1 || needed(rets[0]!) ? rets.map(v) : [];
    body.push(assign(targets, `model(${plan.forwardArgs.map(v).join(', ')})`));
  }
  if (run.backward !== null) body.push(`${v(run.backward)}.backward()`);
  if (run.optimizer) body.push('opt.step()');
  const feedback = plan.loop ? run.feedback : [];
  let fedDirectly = false;
  if (plan.update.length > 0) {
    const args = [...(plan.updateUsesModel ? ['model'] : []), ...plan.updateArgs.map(v)];
    const call = `update(${args.join(', ')})`;
    const rets = plan.updateReturns;
    let line: string;
    if (feedback.length === 1 && rets.length === 1 && rets[0] === feedback[0]!.from) {
      line = `${v(feedback[0]!.to)} = ${call}`;
      fedDirectly = true;
    } else line = assign(rets.length > 1 || fedFrom.has(rets[0]!) ? rets.map(v) : [], call);
    if (run.updateNoGrad) body.push('with torch.no_grad():', `    ${line}`);
    else body.push(line);
  }
  if (feedback.length > 0 && !fedDirectly) {
    body.push(`${feedback.map((f) => v(f.to)).join(', ')} = ${feedback.map((f) => v(f.from)).join(', ')}`);
  }
  if (plan.loop) {
    lines.push('', `    for iteration in range(${run.iterations}):`, ...body.map((l) => `        ${l}`));
  } else if (body.length > 0) lines.push('', ...body.map((l) => `    ${l}`));
  // A graph of Tensor nodes only writes them at module level: main() then has nothing to do.
  if (lines.length === 1) lines.push('    pass');
  return lines.join('\n');
}

/** `model.eval()`, or `model.train()` (nn.Module's default) when an op behaves differently in the two. */
function modeLine(plan: ExportPlan): string[] {
  if (plan.doc.run.mode === 'eval') return ['    model.eval()'];
  return plan.doc.nodes.some((n) => n.impl.readsMode) ? ['    model.train()'] : [];
}

function helperSection(plan: ExportPlan): string {
  const rule = `# ${'-'.repeat(97)}`;
  const intro = [
    rule,
    "# Result recording: bookkeeping for the graph format's result JSON, not part of the model.",
    '# report() runs main() under sys.settrace: it names every tensor after the graph node (the',
    '# variable) that computed it, records the backward pass with post-hooks on the grad_fn nodes',
    '# (kept alive, so the hooks stay), finds the node, phase and iteration of an error, and prints',
    '# {"tensors", "backward_steps", "iterations_run", "error"}.',
    rule,
  ].join('\n');
  const v = (id: string) => plan.names.v(id);
  const nodeIds: [string, string][] = [];
  for (const n of plan.doc.nodes) if (v(n.id) !== n.id) nodeIds.push([v(n.id), n.id]);
  for (const o of plan.datasetOutputs) nodeIds.push([v(o), o]);
  for (const l of plan.layers) {
    const a = plan.names.attr(l.id);
    if (a !== l.id && a !== v(l.id)) nodeIds.push([a, l.id]);
  }
  const phases: [string, string][] = [['main', 'main']];
  if (plan.layers.length > 0) phases.push(['Model.__init__', 'setup']);
  if (plan.forward.length > 0) phases.push(['Model.forward', 'forward']);
  if (plan.update.length > 0) phases.push(['update', 'update']);
  const tables = recorderTables({
    leaves: [...plan.leaves.map((l) => v(l.id)), ...plan.datasetOutputs.map(v)],
    requiresGrad: plan.leaves.filter((l) => l.impl.leaf!.requiresGrad).map((l) => v(l.id)),
    retainGrad: plan.doc.nodes.filter((n) => n.retainGrad).map((n) => v(n.id)),
    // A BatchNorm2d's buffers are reported after its parameters (See Note [BatchNorm2d buffers]).
    layers: plan.layers.map(
      (l) =>
        [
          plan.names.attr(l.id),
          [...plan.owned.get(l.id)!, ...(l.impl.layer!.buffers ?? []).map((b) => b.name)],
        ] as const,
    ),
    forward: plan.forward.map((n) => v(n.id)),
    update: plan.update.map((n) => v(n.id)),
    nodeIds,
    backward: plan.doc.run.backward === null ? null : v(plan.doc.run.backward),
    phases,
  });
  const recorder = RECORDER.trim();
  if (!plan.doc.run.optimizer) return `${intro}\n\n${tables}\n\n\n${recorder}`;
  const main = recorder.lastIndexOf('\n\n\nif __name__');
  const withOptimizer = `${recorder.slice(0, main)}\n\n\n${OPTIMIZER_RECORDER.trim()}${recorder.slice(main)}`;
  return `${intro}\n\n${tables}\n\n\n${withOptimizer}`;
}
