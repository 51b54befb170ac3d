/**
 * Grad mode, as `torch.is_grad_enabled()`. Under `noGrad` no op records a grad_fn.
 */
let enabled = true;

/** True unless inside `noGrad`. */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` with gradient recording off (`with torch.no_grad():`). */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}
