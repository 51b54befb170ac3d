/**
 * Lint warnings for classic PyTorch mistakes, found from the document alone
 * (no engine needed): shown on the node and in the problems list.
 */
import type { GraphDocument, GraphNode } from '../document/types';

/** One warning. */
export interface LintWarning {
  readonly code:
    | 'softmax-into-cross-entropy'
    | 'probabilities-into-nll'
    | 'sigmoid-into-bce-with-logits'
    | 'log-of-softmax'
    | 'grad-of-non-leaf'
    | 'backward-root-missing';
  readonly node: string;
  readonly message: string;
}

function inputOf(doc: GraphDocument, node: GraphNode, port: string): GraphNode | undefined {
  const e = doc.edges.find((x) => x.target === node.id && x.targetHandle === port);
  return e ? doc.nodes.find((n) => n.id === e.source) : undefined;
}

/** Finds the classic mistakes in a document. */
export function lint(doc: GraphDocument): LintWarning[] {
  const out: LintWarning[] = [];
  for (const n of doc.nodes) {
    if (n.op === 'CrossEntropyLoss') {
      const src = inputOf(doc, n, 'input');
      if (src && (src.op === 'Softmax' || src.op === 'LogSoftmax')) {
        out.push({
          code: 'softmax-into-cross-entropy',
          node: n.id,
          message: `CrossEntropyLoss already applies LogSoftmax; feeding it ${src.op} (“${src.id}”) normalises twice. Feed it raw logits.`,
        });
      }
    }
    if (n.op === 'NLLLoss') {
      const src = inputOf(doc, n, 'input');
      if (src && src.op === 'Softmax') {
        out.push({
          code: 'probabilities-into-nll',
          node: n.id,
          message: `NLLLoss expects log-probabilities, but “${src.id}” is Softmax (probabilities). Use LogSoftmax instead.`,
        });
      }
    }
    if (n.op === 'BCEWithLogitsLoss') {
      const src = inputOf(doc, n, 'input');
      if (src && src.op === 'Sigmoid') {
        out.push({
          code: 'sigmoid-into-bce-with-logits',
          node: n.id,
          message: `BCEWithLogitsLoss already applies Sigmoid; feeding it Sigmoid (“${src.id}”) squashes twice. Feed it raw logits.`,
        });
      }
    }
    if (n.op === 'Log') {
      const src = inputOf(doc, n, 'input');
      if (src && src.op === 'Softmax') {
        out.push({
          code: 'log-of-softmax',
          node: n.id,
          message: `Log of Softmax is unstable; LogSoftmax computes the same thing stably.`,
        });
      }
    }
    if (n.op === 'Grad') {
      const src = inputOf(doc, n, 'of');
      if (src && src.op !== 'Tensor' && !src.retain_grad) {
        out.push({
          code: 'grad-of-non-leaf',
          node: n.id,
          message: `“${src.id}” is not a leaf, so its .grad stays None unless retain_grad is set on it.`,
        });
      }
    }
  }
  const root = doc.run?.backward;
  if (root !== undefined && !doc.nodes.some((n) => n.id === root)) {
    out.push({
      code: 'backward-root-missing',
      node: root,
      message: `run.backward names “${root}”, which is not a node.`,
    });
  }
  return out;
}
