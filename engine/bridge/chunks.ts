/**
 * How an exported script leaves the exporter: as chunks of about 64 KiB, so a
 * script spelling out millions of values is never one string. The script's
 * text is small; its long literals (spelled-out tensor values) stay deferred
 * until the text is written and are formatted straight into the chunks.
 */

/** Receives the script, one chunk at a time. */
export type Write = (chunk: string) => void;

/** Characters gathered before a chunk is handed on. */
const CHUNK = 1 << 16;

/** Gathers small pieces of text and hands them on in chunks of about 64 KiB. */
export class Chunks {
  private buf = '';

  constructor(private readonly out: Write) {}

  /** Appends `piece`. */
  put(piece: string): void {
    this.buf += piece;
    if (this.buf.length >= CHUNK) this.flush();
  }

  /** Hands on what is gathered. */
  flush(): void {
    if (this.buf === '') return;
    this.out(this.buf);
    this.buf = '';
  }
}

/** Writes a deferred piece of text. */
export type Fill = (out: Chunks) => void;

/** Stands a deferred piece of text into the script's text; returns its placeholder. */
export type Defer = (fill: Fill) => string;

/**
 * The deferred pieces of one script. Each stands in the text as a placeholder,
 * NUL, its index, NUL: no other NUL reaches a script (pyEscape escapes it).
 */
export class Deferred {
  private readonly fills: Fill[] = [];

  /** Registers `fill` and returns its placeholder. */
  readonly defer: Defer = (fill) => {
    this.fills.push(fill);
    return `\0${this.fills.length - 1}\0`;
  };

  /** Writes `text` with every placeholder replaced by its piece. */
  write(text: string, out: Chunks): void {
    const parts = text.split('\0');
    for (let i = 0; i < parts.length; i++) {
      if (i % 2 === 0) out.put(parts[i]!);
      else this.fills[Number(parts[i])]!(out);
    }
  }
}

/** The text a fill writes, as one string (for small pieces and tests). */
export function fillText(fill: Fill): string {
  const parts: string[] = [];
  const out = new Chunks((c) => parts.push(c));
  fill(out);
  out.flush();
  return parts.join('');
}
