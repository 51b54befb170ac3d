// Types of build/scripts/test.mjs, for the tests that import it.
import type { Writable } from 'node:stream';

export interface Step {
  readonly name: string;
  readonly command: readonly string[];
  /** Milliseconds. */
  readonly limit: number;
}
export interface StepOptions {
  cwd?: string;
  out?: Writable;
  err?: Writable;
  env?: NodeJS.ProcessEnv;
}
export declare const STEPS: readonly Step[];
export declare function runStep(
  step: Step,
  options?: StepOptions,
): Promise<{ ok: boolean; timedOut: boolean; ms: number }>;
export declare function runSteps(steps: readonly Step[], options?: StepOptions): Promise<number>;
