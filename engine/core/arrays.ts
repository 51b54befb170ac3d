/**
 * Arrays built element by element, for the arrays the autograd engine passes
 * from one function to another on every step (edges, gradient buffers, the
 * gradients a step sends).
 *
 * Note [One elements kind per array site]: V8 gives every array a hidden map
 * that includes its elements kind (packed or holey; small integers, doubles or
 * any value), and optimised code checks that map before it reads an array.
 * `Array.prototype.map` does not build its result the same way in each tier:
 * the builtin the interpreter calls returns a packed array, the copy TurboFan
 * inlines into an optimised caller a holey one (Node 20, checked with V8's
 * natives syntax: test/unit/core/arrays.test.ts). So once the function that
 * maps is optimised, the functions reading its arrays meet a map they have
 * not seen, are deoptimised ("wrong map") and compiled again later. In a
 * fresh process running W1 that was 8-10 deoptimisations in 5,000 iterations
 * (`step` compiled three times, `finishBackward`, `computeDependencies` and
 * `releaseVariables` twice, 11 ms of TurboFan each for `step`), each compile
 * queued on V8's one compiler thread (Note [The CLI's V8 worker pool],
 * build/scripts/cli.mjs) while the engine ran unoptimised; W2 and W4 had the
 * same in `step`, the SavedVariable lists (`filter` over `Object.values`) and
 * the shapes of reduce.ts and pool.ts. An array literal grown with `push`
 * takes its kind from the literal's allocation site, which every tier shares
 * and which settles once the first elements are stored: the arrays built here
 * keep one map. The autograd engine's edges, gradient buffers, the
 * gradients each step sends and SavedVariable lists are built this way; with
 * them W1-W5 run without a "wrong map" deoptimisation after their first
 * iteration (build/bench/deopts.ts; build/bench/README.md, session 24).
 */

/** `a.map(f)`, built with `push` (Note [One elements kind per array site]). */
export function mapped<T, U>(a: readonly T[], f: (x: T, i: number) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < a.length; i++) out.push(f(a[i]!, i));
  return out;
}

/** An array of `n` nulls, built with `push` (Note [One elements kind per array site]). */
export function nulls<T>(n: number): (T | null)[] {
  const out: (T | null)[] = [];
  for (let i = 0; i < n; i++) out.push(null);
  return out;
}
