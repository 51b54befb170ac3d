/**
 * Further CLI commands (step, export-python, ...) register here, so cli.ts stays
 * the one entry point.
 */
export interface Command {
  readonly name: string;
  readonly usage: string;
  run(args: string[]): Promise<number> | number;
}

/** The registered commands besides `run`. */
export const COMMANDS: Command[] = [];
