/**
 * The training view (issue 15, item 5) in the web build, as a learner uses it:
 * each training example opens and runs; the Iterations chart draws the batch
 * accuracy beside the loss; the Training strip shows the batch with predicted
 * and true classes, and "Evaluate on test split" gives the accuracy and the
 * confusion matrix. The digits CNN trains its full 500 iterations and must
 * reach 90% on the 360 test digits.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appForFile, openExample, shot, waitState } from './harness';

const app = appForFile();

interface Engine {
  losses: number[];
  accuracies: (number | null)[];
  edgeFlow: { edge: number; norm: number }[];
}
interface Doc {
  edges: { source: string; target: string }[];
}
/** The app's state (window.__studio): the engine slice and the document. */
const state = (page: Page): Promise<{ engine: Engine; doc: Doc }> =>
  page.evaluate(() => {
    const s = (window as unknown as { __studio: { state: { engine: Engine; doc: Doc } } }).__studio.state;
    return { engine: s.engine, doc: s.doc };
  });

/** Sets the Iterations panel's count and runs that many, waiting for the end. */
async function runIterations(page: Page, n: number, timeout = 180_000): Promise<void> {
  await page.fill('[data-testid=iterations]', String(n));
  await page.click('[data-testid=run-n]');
  await page.waitForTimeout(30);
  expect(await waitState(page, ['done', 'error', 'idle'], timeout)).toBe('done');
}

/** Presses "Evaluate on test split" and reads the result. */
async function evaluate(page: Page): Promise<{ correct: number; count: number; confusion: number[][] }> {
  await page.click('[data-testid=evaluate-test]');
  await page.waitForSelector('[data-testid=eval-accuracy], [data-testid=eval-error]', { timeout: 120_000 });
  expect(await page.locator('[data-testid=eval-error]').count(), (await page.textContent('.evaluate')) ?? '').toBe(0);
  const acc = page.locator('[data-testid=eval-accuracy]');
  const confusion = await page.$$eval('[data-testid=confusion-matrix] tbody tr', (rows) =>
    rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => Number(td.textContent || 0))),
  );
  return {
    correct: Number(await acc.getAttribute('data-correct')),
    count: Number(await acc.getAttribute('data-count')),
    confusion,
  };
}

describe('training view', () => {
  it('trains the digits CNN for 500 iterations and reaches 90% on the test split', async () => {
    const { page, errors } = app();
    await openExample(page, 'digits_cnn_sgd');
    await runIterations(page, 500);
    const { losses, accuracies } = (await state(page)).engine;
    expect(losses).toHaveLength(500);
    expect(accuracies).toHaveLength(500);
    expect(await page.getAttribute('[data-testid=viz-accuracy]', 'data-points')).toBe('500');
    // the batch grid: iteration 500 is batch 500 mod 45 = 5 of its epoch, a full batch of 32
    await expect.poll(() => page.locator('[data-testid=batch-image]').count(), { timeout: 30_000 }).toBe(32);
    const right = await page.$$eval(
      '[data-testid=batch-image]',
      (els) => els.filter((e) => e.getAttribute('data-pred') === e.getAttribute('data-true')).length,
    );
    expect(right / 32).toBe(accuracies[499]); // the grid's ✓ are the chart's last batch accuracy
    const r = await evaluate(page);
    expect(r.count).toBe(360);
    expect(r.confusion.flat().reduce((a, v) => a + v, 0)).toBe(360);
    expect(r.confusion.reduce((a, row, i) => a + row[i]!, 0)).toBe(r.correct);
    expect(r.correct / r.count).toBeGreaterThanOrEqual(0.9);
    await shot(page, 'training-digits-cnn-evaluated');
    expect(errors).toEqual([]);
  }, 300_000);

  it('Fashion-MNIST with BatchNorm and Adam: buffers, class names in the batch grid and the confusion matrix', async () => {
    const { page } = app();
    await openExample(page, 'fashion_cnn_adam');
    await runIterations(page, 40);
    await expect.poll(() => page.locator('[data-testid=batch-image]').count(), { timeout: 30_000 }).toBe(32);
    const caption = await page.locator('[data-testid=batch-image] figcaption').first().textContent();
    expect(caption).toMatch(/T-shirt\/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot/);
    // the BatchNorm2d after conv1: its buffers in the inspector, counted by the 40 training iterations
    await page.click('.react-flow__node[data-id="bn1"] .op-node-head');
    await page.waitForSelector('[data-testid=buffer-state]');
    const tracked = await page.textContent('[data-testid=buffer-state] [data-entry=num_batches_tracked]');
    expect(tracked).toBe('num_batches_tracked40');
    expect(await page.textContent('[data-testid=buffer-note]')).toContain('not parameters: no .grad');
    expect(await page.textContent('[data-testid=buffer-state] [data-entry=running_var]')).toMatch(
      /^running_var\[8\] mean/,
    );
    // its weight and bias are parameters (chips on the node, as a Conv2d's); the buffers are not
    expect(await page.locator('.react-flow__node[data-id="bn1"] .param-chip').count()).toBe(2);
    expect(await page.locator('[data-testid=optimizer-param][data-param="bn1.weight"]').count()).toBe(1);
    expect(await page.locator('[data-testid=optimizer-param][data-param="bn1.running_mean"]').count()).toBe(0);
    await shot(page, 'training-fashion-batchnorm-buffers');
    const r = await evaluate(page);
    expect(r.count).toBe(1000);
    expect(r.confusion).toHaveLength(10);
    expect(r.confusion.flat().reduce((a, v) => a + v, 0)).toBe(1000);
    const heads = await page.$$eval('[data-testid=confusion-matrix] thead th[scope=col]', (t) =>
      t.map((e) => e.textContent),
    );
    expect(heads).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ]);
    await shot(page, 'training-fashion-evaluated');
  }, 300_000);

  it('Sigmoid vs ReLU: the first Sigmoid layer gets a far smaller gradient than the first ReLU layer', async () => {
    const { page } = app();
    await openExample(page, 'mlp_sigmoid_vs_relu');
    await runIterations(page, 1);
    const norm = async (source: string, target: string): Promise<number> => {
      const { doc, engine } = await state(page);
      const i = doc.edges.findIndex((e) => e.source === source && e.target === target);
      return engine.edgeFlow.find((f) => f.edge === i)!.norm;
    };
    const sig = await norm('sigmoid_fc1', 'sigmoid1');
    const relu = await norm('relu_fc1', 'relu1');
    // each Sigmoid multiplies the gradient by sigmoid'(x) <= 0.25: four more of them lie between the loss and layer 1
    expect(sig).toBeLessThan(relu / 10);
    // the strip pins both first layers' weight.grad side by side
    await expect
      .poll(() => page.locator('[data-testid=compare-pin] canvas, [data-testid=compare-pin] svg').count())
      .toBeGreaterThan(1);
    const pins = await page.$$eval('[data-testid=compare-pin]', (els) => els.map((e) => e.getAttribute('data-tensor')));
    expect(pins).toEqual(['relu_fc1.weight', 'sigmoid_fc1.weight']);
    // no Training strip: the backward root is the sum of two losses, not one classification loss
    expect(await page.locator('[data-testid=training-panel]').count()).toBe(0);
    await shot(page, 'training-sigmoid-vs-relu');
  });

  it('at 1440x900 with both strips open the canvas keeps half the height and the edge legend covers no node', async () => {
    const { page, errors } = app();
    await page.setViewportSize({ width: 1440, height: 900 });
    try {
      await openExample(page, 'digits_cnn_sgd');
      await runIterations(page, 20);
      await page.waitForSelector('[data-testid=training-panel]');
      await page.waitForSelector('[data-testid=compare-strip]');
      const box = async (sel: string) => (await page.locator(sel).first().boundingBox())!;
      const canvas = await box('.canvas');
      const centre = await box('.centre');
      expect(canvas.height).toBeGreaterThanOrEqual(centre.height / 2 - 1);
      // the strips grew after the run: the untouched opening view fitted the graph again, all of it in view
      await expect
        .poll(() =>
          page.$$eval('.react-flow__node', (els) => {
            const c = document.querySelector('.canvas')!.getBoundingClientRect();
            return els.filter((e) => {
              const r = e.getBoundingClientRect();
              return r.top < c.top || r.bottom > c.bottom || r.left < c.left || r.right > c.right;
            }).length;
          }),
        )
        .toBe(0);
      const legend = await box('[data-testid=grad-legend]');
      const nodes = await page.$$eval('.react-flow__node', (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { id: e.getAttribute('data-id'), x: r.x, y: r.y, width: r.width, height: r.height };
        }),
      );
      const overlaps = (a: typeof legend, b: typeof legend) =>
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      expect(nodes.filter((n) => overlaps(n, legend)).map((n) => n.id)).toEqual([]);
      // folded by default beside the zoom controls; a click opens the scale with its numbers
      expect(await page.getAttribute('[data-testid=grad-legend]', 'data-open')).toBe('false');
      await shot(page, 'training-digits-1440x900');
      await page.click('[data-testid=grad-legend-toggle]');
      await page.waitForSelector('[data-testid=grad-legend] [data-testid=viz-legend]');
      expect(await page.textContent('[data-testid=grad-legend]')).toContain('gradient stops');
      await shot(page, 'training-digits-1440x900-legend-open');
      await page.click('[data-testid=grad-legend-toggle]');
      expect(errors).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1600, height: 1000 });
    }
  }, 300_000);
});
