/**
 * The CLI with the WebAssembly kernels and helper threads installed first
 * (`npm run -s cli -- run ...`); same commands and output as `npm run cli`.
 */
import { installNodeFastKernels } from '../../engine/host/node/fast-kernels';

installNodeFastKernels();
await import('../../engine/host/node/cli');
