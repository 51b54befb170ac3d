/**
 * A seeded mutation fuzzer for graph documents. Every valid fixture document
 * (test/fixtures/reference and test/fixtures/parity) is a seed; each mutator (test/helpers/
 * mutate.ts) is applied PER_KIND times to seeds taken in turn, and every mutated
 * document must give, without throwing and without hanging (HANG_LIMIT_MS):
 *   - {ok: false, issues} with at least one issue, each with a non-empty path and message, or
 *   - {ok: true, result} whose error is null or has a Python exception type, a message, a phase and an iteration,
 *     and is a PyTorch-style error, not a leaked JavaScript one (out of memory, stack overflow,
 *     "Cannot read properties of undefined", ...).
 * Huge-shape mutations must end as issues or errors (the engine refuses tensors over 2^25
 * elements before allocating). The tally per outcome is printed at the end.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runDocument } from '../../engine/graph/index';
import { allFixtureDocuments } from '../helpers/fixtures';
import { MUTATORS, type Doc } from '../helpers/mutate';
import { Rng } from '../helpers/random';

const SEED = 20261128;
const PER_KIND = 100;
/**
 * A hang guard, not a speed check: every mutated document is small or refused before allocating, and
 * finishes in milliseconds; only a loop that never ends (or work the size budget failed to refuse)
 * comes near this limit, whatever the machine's speed or load. The slowest document is printed at the end.
 */
const HANG_LIMIT_MS = 30_000;
const PHASES = ['setup', 'forward', 'backward', 'update'];
const TYPES = ['RuntimeError', 'ValueError', 'TypeError', 'IndexError', 'NotImplementedError'];
/** Messages that show a JavaScript failure inside the engine rather than a PyTorch error. */
const LEAKED =
  /out of memory|Maximum call stack|Invalid (typed )?array length|Array buffer allocation|Cannot read prop|is not a function|is not iterable|undefined|internal:/;

type Outcome = 'issues' | 'finished' | 'graph error' | 'threw' | 'invalid';
const tally = new Map<string, Record<Outcome, number>>();
let slowest = { ms: 0, what: '' };
let total = 0;

const seeds = allFixtureDocuments();

/** Runs one mutated document and returns its outcome and, if the contract is broken, why. */
function runOne(d: Doc): { outcome: Outcome; fault: string | null; ms: number; detail: string } {
  const t0 = performance.now();
  let r: ReturnType<typeof runDocument>;
  try {
    r = runDocument(d);
  } catch (e) {
    const ms = performance.now() - t0;
    return {
      outcome: 'threw',
      fault: `threw ${(e as Error)?.constructor?.name}: ${String((e as Error)?.message).slice(0, 120)}`,
      ms,
      detail: '',
    };
  }
  const ms = performance.now() - t0;
  if (!r.ok) {
    const bad = r.issues.find(
      (i) => typeof i.path !== 'string' || i.path === '' || typeof i.message !== 'string' || i.message === '',
    );
    if (r.issues.length === 0) return { outcome: 'invalid', fault: 'ok:false with no issues', ms, detail: '' };
    if (bad)
      return {
        outcome: 'invalid',
        fault: `issue without path/message: ${JSON.stringify(bad).slice(0, 120)}`,
        ms,
        detail: '',
      };
    return { outcome: 'issues', fault: null, ms, detail: r.issues[0]!.path };
  }
  const e = r.result.error;
  if (e === null) return { outcome: 'finished', fault: null, ms, detail: '' };
  const shapeOk =
    typeof e.type === 'string' &&
    TYPES.includes(e.type) &&
    typeof e.message === 'string' &&
    e.message !== '' &&
    PHASES.includes(e.phase) &&
    Number.isInteger(e.iteration);
  if (!shapeOk)
    return { outcome: 'invalid', fault: `malformed error ${JSON.stringify(e).slice(0, 160)}`, ms, detail: '' };
  if (LEAKED.test(e.message)) {
    return {
      outcome: 'invalid',
      fault: `leaked JS error at ${e.node} (${e.phase}): ${e.type}: ${e.message.slice(0, 160)}`,
      ms,
      detail: '',
    };
  }
  return { outcome: 'graph error', fault: null, ms, detail: `${e.type}: ${e.message.slice(0, 60)}` };
}

describe('document fuzzing', () => {
  it('starts from valid seeds', () => {
    expect(seeds.length).toBeGreaterThan(100);
    for (const s of seeds) {
      const r = runDocument(structuredClone(s.doc));
      expect(r.ok, `seed ${s.name} is invalid`).toBe(true);
    }
  });

  for (const [kind, mutate] of Object.entries(MUTATORS)) {
    it(`${kind}: ${PER_KIND} mutations keep the contract`, () => {
      const rng = new Rng(`${SEED}:${kind}`);
      const counts: Record<Outcome, number> = { issues: 0, finished: 0, 'graph error': 0, threw: 0, invalid: 0 };
      tally.set(kind, counts);
      const faults: string[] = [];
      for (let i = 0; i < PER_KIND; i++) {
        const seed = seeds[(i * 7 + kind.length) % seeds.length]!;
        const d = structuredClone(seed.doc) as Doc;
        const what = mutate(d, rng);
        const res = runOne(d);
        counts[res.outcome]++;
        total++;
        const where = `#${i} ${seed.name}: ${what}`;
        if (res.fault) faults.push(`${where} -> ${res.fault}`);
        if (res.ms > HANG_LIMIT_MS) faults.push(`${where} -> took ${res.ms.toFixed(0)} ms (limit ${HANG_LIMIT_MS})`);
        if (res.ms > slowest.ms) slowest = { ms: res.ms, what: `${kind} ${where}` };
        // A layer whose weight port is wired never creates its owned weight (as PyTorch's F.conv2d(x, w)
        // ignores the module's sizes), so a huge in/out size there is legitimately harmless.
        const node = what.split(' (')[0];
        const edges: unknown = (d as { edges?: unknown }).edges;
        const wiredWeight =
          Array.isArray(edges) &&
          edges.some(
            (e: { target?: unknown; targetHandle?: unknown } | null) =>
              e?.target === node && e?.targetHandle === 'weight',
          );
        const harmless = wiredWeight && /\((Conv2d|Linear)\)/.test(what) && res.outcome === 'finished';
        if (kind === 'huge-shape' && !harmless && (res.outcome === 'finished' || res.outcome === 'threw')) {
          faults.push(`${where} -> a huge shape must end as issues or an error, got ${res.outcome}`);
        }
      }
      expect(
        faults,
        `${faults.length} of ${PER_KIND} ${kind} cases broke the contract:\n  ${faults.slice(0, 12).join('\n  ')}`,
      ).toEqual([]);
    });
  }

  it('ran at least 1,000 mutations in total', () => {
    expect(total).toBeGreaterThanOrEqual(1000);
  });
});

afterAll(() => {
  const rows = [...tally].map(
    ([k, c]) =>
      `${k.padEnd(16)} ${Object.values(c)
        .map((v) => String(v).padStart(6))
        .join('')}`,
  );
  const sums: Record<string, number> = {};
  for (const c of tally.values()) for (const [o, v] of Object.entries(c)) sums[o] = (sums[o] ?? 0) + v;
  console.log(
    [
      `fuzz: ${total} mutated documents (seed ${SEED})`,
      `${'mutation'.padEnd(16)}${['issues', 'finished', 'graph error', 'threw', 'invalid'].map((h) => h.slice(0, 6).padStart(6)).join('')}`,
      ...rows,
      `${'total'.padEnd(16)} ${Object.values(sums)
        .map((v) => String(v).padStart(6))
        .join('')}`,
      `slowest case: ${slowest.ms.toFixed(1)} ms (${slowest.what.slice(0, 120)})`,
    ].join('\n'),
  );
});
