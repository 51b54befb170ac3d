/**
 * GraphSession: running a document to the end and advancing it one unit at a time
 * (one graph node, one backward step) share the same code, so both give the same
 * result for every fixture document; the step list matches the result's backward_steps.
 */
import { describe, expect, it } from 'vitest';
import { GraphSession, load, resultJson } from '../../../engine/graph/index';
import { allFixtureDocuments } from '../../helpers/fixtures';

function session(doc: unknown): GraphSession {
  const l = load(doc);
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  return new GraphSession(l.graph);
}

describe('stepping a session gives the same result as running it', () => {
  for (const { name, doc } of allFixtureDocuments()) {
    it(name, () => {
      const whole = session(doc);
      whole.run();
      const stepped = session(doc);
      let steps = 0;
      let guard = 0;
      while (!stepped.finished && guard++ < 100000) {
        if (stepped.phase === 'backward') {
          if (stepped.stepBackward()) steps++;
        } else stepped.advance();
      }
      expect(stepped.finished).toBe(true);
      expect(resultJson(stepped)).toEqual(resultJson(whole));
      if (whole.iterationsRun === whole.graph.doc.run.iterations && whole.error === null) {
        expect(stepped.steps.length).toBe(resultJson(whole).backward_steps.length);
      }
      expect(steps).toBeGreaterThanOrEqual(stepped.steps.length);
    });
  }
});
