/**
 * Export of the canvas as SVG or PNG, drawn from what the canvas shows
 * (node boxes with op, id and autograd badges; edge paths with their widths
 * and cut style; shape labels). Plain SVG without foreignObject, so the PNG
 * can be rasterised under the strict CSP.
 */
import type { AppServices } from '../app/context';
import { fileNameFor } from '../app/actions';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function translateOf(el: HTMLElement): [number, number] {
  const m = /translate\(\s*(-?[\d.]+)px\s*,\s*(-?[\d.]+)px\s*\)\s*$/.exec(el.style.transform);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** The canvas as SVG text (null when the canvas is not on screen). */
export function canvasSvg(root: ParentNode = document): string | null {
  const nodes = [...root.querySelectorAll<HTMLElement>('.react-flow__node')];
  const edges = [...root.querySelectorAll<SVGPathElement>('.react-flow__edge-path')];
  const labels = [...root.querySelectorAll<HTMLElement>('.edge-label')];
  if (!nodes.length && !edges.length) return null;
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  const boxes = nodes.map((el) => {
    const [x, y] = translateOf(el);
    const w = el.offsetWidth || 160,
      h = el.offsetHeight || 60;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + w);
    y1 = Math.max(y1, y + h);
    const inner = el.querySelector<HTMLElement>('.op-node');
    const op = inner?.querySelector('.op-node-op')?.textContent ?? '';
    const id = inner?.querySelector('.op-node-id')?.textContent ?? '';
    const badges = [...(inner?.querySelectorAll('.node-flags .badge') ?? [])].map((b) => b.textContent).join(' · ');
    const shape = inner?.querySelector('.port-out .port-type')?.textContent ?? '';
    const error = inner?.dataset.error === 'true';
    const active = inner?.dataset.active === 'true';
    return { x, y, w, h, op, id, badges, shape, error, active };
  });
  const pad = 30;
  x0 -= pad;
  y0 -= pad;
  x1 += pad;
  y1 += pad;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(x1 - x0)}" height="${Math.ceil(y1 - y0)}" viewBox="${x0} ${y0} ${x1 - x0} ${y1 - y0}" font-family="system-ui, sans-serif">`,
    `<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="#f8fafc"/>`,
  ];
  for (const p of edges) {
    const cs = getComputedStyle(p);
    out.push(
      `<path d="${esc(p.getAttribute('d') ?? '')}" fill="none" stroke="${esc(p.style.stroke || cs.stroke)}" stroke-width="${esc(p.style.strokeWidth || cs.strokeWidth)}"${p.style.strokeDasharray ? ` stroke-dasharray="${esc(p.style.strokeDasharray)}"` : ''}/>`,
    );
  }
  for (const l of labels) {
    // the label's centre is its anchor's left/top (GradEdge.tsx)
    const anchor = l.parentElement;
    const x = parseFloat(anchor?.style.left ?? '') || 0,
      y = parseFloat(anchor?.style.top ?? '') || 0;
    if (l.textContent)
      out.push(
        `<text x="${x}" y="${y + 4}" font-size="10" text-anchor="middle" fill="#334155">${esc(l.textContent)}</text>`,
      );
  }
  for (const b of boxes) {
    out.push(
      `<g transform="translate(${b.x},${b.y})">`,
      `<rect width="${b.w}" height="${b.h}" rx="6" fill="#fff" stroke="${b.error ? '#dc2626' : b.active ? '#f59e0b' : '#94a3b8'}" stroke-width="${b.error || b.active ? 3 : 1}"/>`,
      `<text x="8" y="16" font-size="12" font-weight="600">${esc(b.op)}</text>`,
      `<text x="${b.w - 8}" y="16" font-size="11" text-anchor="end" fill="#475569">${esc(b.id)}</text>`,
      `<text x="8" y="34" font-size="10" fill="#0f766e">${esc(b.badges)}</text>`,
      `<text x="${b.w - 8}" y="${b.h - 8}" font-size="10" text-anchor="end" fill="#64748b">${esc(b.shape)}</text>`,
      '</g>',
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Rasterises SVG text to a PNG blob at `scale`. */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(img.width * scale);
    canvas.height = Math.ceil(img.height * scale);
    const ctx = canvas.getContext('2d')!;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return await new Promise<Blob>((res, rej) =>
      canvas.toBlob((b) => (b ? res(b) : rej(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Exports the canvas as `png` or `svg` through the host. */
export async function exportImage(app: AppServices, kind: 'png' | 'svg'): Promise<void> {
  const svg = canvasSvg();
  if (!svg) return app.studio.toast('warn', 'Nothing on the canvas to export.');
  const base = fileNameFor(app.studio.doc, app.studio.state.fileName).replace(/\.graph\.json$/, '');
  const blob = kind === 'svg' ? new Blob([svg], { type: 'image/svg+xml' }) : await svgToPng(svg);
  await app.host.download(blob, `${base}.${kind}`);
}
