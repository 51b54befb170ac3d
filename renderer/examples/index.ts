/**
 * The examples gallery: graph documents (format v1) shipped with the app,
 * each teaching one thing about autograd.
 */

/** One example. */
export interface Example {
  /** File name without `.graph.json`, used in `data-testid=example-<slug>`. */
  readonly slug: string;
  readonly name: string;
  readonly description: string;
  readonly document: Record<string, unknown>;
}

const files = import.meta.glob<Record<string, unknown>>('./*.graph.json', { eager: true, import: 'default' });

/** Display order (others follow alphabetically). */
const ORDER = [
  'cross_entropy_decomposed',
  'adversarial_loop_error',
  'adversarial_loop_detached',
  'detach_vs_clone',
  'conv2d_padding_modes',
  'pooling_variants',
  'small_cnn_training',
];

/** Every example, in gallery order. */
export const EXAMPLES: readonly Example[] = Object.entries(files)
  .map(([path, document]) => {
    const slug = path.replace(/^.*\//, '').replace(/\.graph\.json$/, '');
    const meta = (document.meta ?? {}) as { name?: string; description?: string };
    return { slug, name: meta.name ?? slug, description: meta.description ?? '', document };
  })
  .sort((a, b) => {
    const ia = ORDER.indexOf(a.slug),
      ib = ORDER.indexOf(b.slug);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.slug.localeCompare(b.slug);
  });
