/**
 * Records keyed by user strings (node ids, tensor names): node ids are data, so
 * `"__proto__"`, `"constructor"` or `"toString"` must be keys like any other.
 * A record built with {@link dict} has no prototype (an assignment to
 * `"__proto__"` makes a key, not a new prototype); a record read with {@link own}
 * answers only with its own properties (a plain object that came through JSON
 * or a message has Object.prototype behind it).
 */

/** An empty record without a prototype. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The value `record` holds under `key` itself (never an inherited one), or undefined. */
export function own<T>(record: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return record != null && Object.hasOwn(record, key) ? record[key] : undefined;
}
