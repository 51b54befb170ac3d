/** Which tensors the training view reads from a document (renderer/training/classifier.ts). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../renderer/document/parse';
import { classifierOf } from '../../renderer/training/classifier';

const example = (slug: string) =>
  parseDocument(readFileSync(resolve(import.meta.dirname, `../../renderer/examples/${slug}.graph.json`), 'utf8'));

describe('classifierOf', () => {
  it("reads the digits CNN's scores, its Dataset's labels and class names", () => {
    expect(classifierOf(example('digits_cnn_sgd'))).toEqual({
      loss: 'loss',
      scores: 'fc2',
      target: 'data.labels',
      dataset: { id: 'data', images: 'data.images', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
    });
  });

  it('names the Fashion-MNIST classes', () => {
    expect(classifierOf(example('fashion_cnn_adam'))!.dataset!.classes.at(-1)).toBe('Ankle boot');
  });

  it('is null when the backward root is not one classification loss, and has no dataset for a Tensor target', () => {
    expect(classifierOf(example('mlp_sigmoid_vs_relu'))).toBeNull(); // the root is Add(loss, loss)
    const cnn = classifierOf(example('small_cnn_training'));
    expect(cnn?.dataset).toBeNull();
  });
});
