/**
 * The run mode on a node whose forward depends on it. `run.mode` is
 * model.train() or model.eval() for the whole graph, edited in the run
 * settings; BatchNorm2d and Dropout are where it changes what a forward does,
 * so their face says which mode is on and, on hover, what it means for them.
 */
import { useApp } from '../app/context';
import { runMode } from '../document/run-extra';
import type { GraphNode } from '../document/types';

type Mode = 'train' | 'eval';
/** What a mode means for a node: a few words on its face and one plain sentence on hover. */
type Meaning = readonly [short: string, sentence: string];

const BATCH: Meaning = [
  'batch statistics',
  'Train mode: normalises with this batch’s mean and variance, and updates running_mean, running_var and num_batches_tracked.',
];
const RUNNING: Meaning = [
  'running statistics',
  'Eval mode: normalises with running_mean and running_var, and leaves them unchanged.',
];

/** What `mode` means for `node`, or null when its forward does not depend on the mode. */
export function modeMeaning(node: Pick<GraphNode, 'op' | 'params'>, mode: Mode): Meaning | null {
  if (node.op === 'BatchNorm2d') {
    if (node.params.track_running_stats === false)
      return [
        'batch statistics',
        'Without track_running_stats it normalises with the batch’s statistics in both modes.',
      ];
    return mode === 'train' ? BATCH : RUNNING;
  }
  if (node.op === 'Dropout')
    return mode === 'train'
      ? [
          'zeroes elements with probability p',
          'Train mode: zeroes each element with probability p and scales the rest by 1/(1-p).',
        ]
      : ['passes its input through', 'Eval mode: Dropout is the identity, its output is its input.'];
  return null;
}

/** The mark on the node's face: `model.train(): batch statistics`. */
export function ModeMark({ node }: { node: Pick<GraphNode, 'op' | 'params'> }): React.JSX.Element | null {
  const mode = useApp((s) => runMode(s.doc.run ?? {}));
  const meaning = modeMeaning(node, mode);
  if (!meaning) return null;
  return (
    <div className={`storage-mark mode-mark mode-${mode}`} data-testid="mode-mark" data-mode={mode} title={meaning[1]}>
      model.{mode}(): {meaning[0]}
    </div>
  );
}
