/** Moved to engine/ops/params.ts (the op modules check their parameters); kept for imports not yet updated. */
export { checkInit, checkParam, type ParamCheck } from '../ops/params';
