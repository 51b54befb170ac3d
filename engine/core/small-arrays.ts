/**
 * Zero-filled typed arrays; the small ones are views carved from shared slabs.
 *
 * Note [Small arrays from slabs]: V8 keeps a typed array of at most 64 bytes
 * inside its heap (~30 ns to make on the 2-core VM), but gives a larger one a
 * backing store of its own outside it: calloc, a BackingStore object, its
 * registration with the garbage collector, which sweeps it again when the array
 * dies. That costs ~750 ns for 128 floats, against ~15 ns for a view into an
 * existing ArrayBuffer (build/bench/README.md, "Small arrays"). A small graph's
 * step makes dozens of such arrays (every tensor's storage, every gradient,
 * every small kernel result), so arrays of 65 bytes up to SMALL_MAX_BYTES are
 * views into one SLAB_BYTES ArrayBuffer, carved in order and never reused: a
 * new ArrayBuffer is zero-filled, so each view starts as zeros like
 * `new Float32Array(n)`, and no two views share a byte.
 *
 * What this changes for the code that holds one: `.buffer` is the slab and
 * `.byteOffset` is in general not 0, so nothing may transfer, detach or wrap
 * `.buffer` as the array's own (protocol/codec.ts transfers only a buffer a
 * view covers whole), and a slab stays alive while any of its views does.
 */

/** Arrays up to this size come from a slab. */
export const SMALL_MAX_BYTES = 2048;
/** Bytes of one slab. */
export const SLAB_BYTES = 32768;
/** V8 keeps arrays up to this size inside its heap already (V8_TYPED_ARRAY_MAX_SIZE_IN_HEAP). */
const IN_HEAP_MAX_BYTES = 64;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/**
 * Byte offset of `bytes` fresh (zero) bytes in `slab`, 8-byte aligned; starts
 * a new slab when the current one is full. So read `slab` after calling this:
 * `new Float32Array(slab, carve(n), ...)` would pair the offset with the old slab.
 */
function carve(bytes: number): number {
  const size = (bytes + 7) & ~7;
  if (used + size > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const at = used;
  used += size;
  return at;
}

const small = (bytes: number): boolean => bytes > IN_HEAP_MAX_BYTES && bytes <= SMALL_MAX_BYTES;

/** The typed array classes this file makes. */
interface ArrayClass<T> {
  readonly BYTES_PER_ELEMENT: number;
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
}

/** A zero-filled `C` of `length` elements: a view into the slab when small, else an array of its own. */
function make<T>(C: ArrayClass<T>, length: number): T {
  const bytes = length * C.BYTES_PER_ELEMENT;
  if (!small(bytes)) return new C(length);
  const at = carve(bytes);
  return new C(slab, at, length);
}

/** A zero-filled Float32Array of `length` elements. */
export const newFloat32 = (length: number): Float32Array => make(Float32Array, length);
/** A zero-filled Float64Array of `length` elements. */
export const newFloat64 = (length: number): Float64Array => make(Float64Array, length);
/** A zero-filled Int32Array of `length` elements. */
export const newInt32 = (length: number): Int32Array => make(Int32Array, length);
