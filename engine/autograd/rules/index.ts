import { activationRules } from './activation';
import { elementwiseRules } from './elementwise';
import { lossRules } from './loss';
import { nnRules } from './nn';
import { viewRules } from './view';

/**
 * The table of gradient rules: every grad_fn the engine can create, by PyTorch's
 * class name. Ops look their rule up here; nothing else defines a backward.
 */
export const gradRules = { ...elementwiseRules, ...activationRules, ...viewRules, ...nnRules, ...lossRules };

/** A grad_fn class name the engine knows. */
export type GradFnName = keyof typeof gradRules;

/** The saved state a rule expects. */
export type SavedOf<K extends GradFnName> = Parameters<(typeof gradRules)[K]['backward']>[0];
