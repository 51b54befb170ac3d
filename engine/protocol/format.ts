/**
 * The graph document's identity, shared by the engine, the renderer and the
 * Electron shell (each used to spell it out on its own).
 */

/** The `format` value of every graph document. */
export const FORMAT = 'autograd-studio/graph';
/** The only version of the format so far; the engine and the app read and write it. */
export const VERSION = 1;
