/** A small tooltip element inside a viz container, for exact numbers on hover. */
export interface Tooltip {
  show(x: number, y: number, text: string): void;
  hide(): void;
  destroy(): void;
}

/** Creates a tooltip positioned inside `el` (which should be `position: relative`). */
export function createTooltip(el: HTMLElement, testid = 'viz-tooltip'): Tooltip {
  const tip = document.createElement('div');
  tip.className = 'viz-tooltip';
  tip.setAttribute('data-testid', testid);
  tip.style.display = 'none';
  el.appendChild(tip);
  return {
    show(x, y, text) {
      tip.textContent = text;
      tip.style.display = 'block';
      tip.style.left = `${x + 12}px`;
      tip.style.top = `${y + 12}px`;
    },
    hide() {
      tip.style.display = 'none';
    },
    destroy() {
      tip.remove();
    },
  };
}

/** Mouse position relative to `el`. */
export function localXY(el: HTMLElement, ev: MouseEvent): [number, number] {
  const r = el.getBoundingClientRect();
  return [ev.clientX - r.left + el.scrollLeft, ev.clientY - r.top + el.scrollTop];
}
