/**
 * A small seeded generator for the seeded init kinds (`rand`, `randn`, `randint`)
 * and default parameter initialisation. Reproducible within this engine; it is
 * not PyTorch's generator (the spec does not ask for that).
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** Seeds from a string (a node id), so default inits are stable per node. */
  static fromString(s: string, salt = 0): Random {
    let h = 2166136261 ^ salt;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return new Random(h >>> 0);
  }

  /**
   * Skips `n` draws at once: mulberry32's state advances by the same constant
   * each draw, so n draws add n times it (mod 2^32).
   */
  skip(n: number): this {
    const lo = n % 4294967296;
    this.state = (this.state + Math.imul(lo >>> 0, 0x6d2b79f5)) >>> 0;
    return this;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Integer in [low, high). */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low));
  }
}
