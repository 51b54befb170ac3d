/**
 * Further CLI commands (step, export-python, ...) register here, so cli.ts stays
 * the one entry point.
 */
import { stepCommand } from './cmd-step';
import { exportPythonCommand } from './cmd-export-python';
import { importPythonCommand } from './cmd-import-python';
import type { Command } from './command';

export type { Command } from './command';

/** The registered commands besides `run`. */
export const COMMANDS: Command[] = [stepCommand, exportPythonCommand, importPythonCommand];
