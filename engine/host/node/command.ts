/** One CLI command besides `run` (the registry is commands.ts; each command's module imports only this type). */
export interface Command {
  readonly name: string;
  readonly usage: string;
  run(args: string[]): Promise<number> | number;
}
