// Types of build/scripts/check-cycles.mjs, for the tests that import it.
export declare const SOURCES: readonly string[];
export declare function findCycles(
  globs: readonly string[],
  cwd?: string,
): Promise<{ files: number; cycles: string[][] }>;
