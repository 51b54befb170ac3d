/**
 * Loading images onto the canvas: the palette's "Load image…" file input and
 * bundled samples, and PNG/JPEG files dropped on the canvas (placed where
 * dropped, in free space).
 */
import { useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import type { AppServices } from '../app/context';
import { useServices } from '../app/context';
import { sizeOfFlow } from '../canvas/flow-model';
import type { XY } from '../document/types';
import { bundledTensor } from './bundled';
import { DRAWINGS, type DrawingName } from './drawings';
import { addImageNode, IMAGE_TYPES, isImageFile, loadImageFile } from './load';

/** Canvas coordinates of the visible canvas's centre (a loaded image goes there). */
function useCentre(): () => XY {
  const rf = useReactFlow();
  return () => {
    const el = document.querySelector('[data-testid=canvas]')?.getBoundingClientRect();
    const p = rf.screenToFlowPosition(
      el ? { x: el.left + el.width / 2, y: el.top + el.height / 2 } : { x: 400, y: 300 },
    );
    return { x: Math.round(p.x - 90), y: Math.round(p.y - 60) };
  };
}

/** Image files dropped on the canvas become Tensor nodes at the drop point. */
function useImageDrop(app: AppServices): void {
  const rf = useReactFlow();
  useEffect(() => {
    const files = (e: DragEvent): boolean => !!e.dataTransfer?.types.includes('Files');
    const onCanvas = (e: DragEvent): boolean =>
      e.target instanceof Element && !!e.target.closest('[data-testid=canvas]');
    // files go to the canvas only; elsewhere the drop is refused (the browser would navigate to the file)
    const over = (e: DragEvent): void => {
      if (!files(e)) return;
      e.preventDefault();
      e.dataTransfer!.dropEffect = onCanvas(e) ? 'copy' : 'none';
    };
    const drop = (e: DragEvent): void => {
      if (!files(e)) return;
      e.preventDefault();
      if (!onCanvas(e)) return;
      const all = Array.from(e.dataTransfer!.files);
      const images = all.filter(isImageFile);
      // a graph document dropped on the desktop window is opened by the preload script
      if (!images.length && !all.some((f) => f.name.toLowerCase().endsWith('.json'))) {
        app.studio.toast('warn', 'Drop a PNG or JPEG image on the canvas (open a graph with Open)');
      }
      if (!images.length) return;
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      images.forEach((f, i) => {
        const at = { x: Math.round(p.x - 90 + i * 40), y: Math.round(p.y - 14 + i * 40) };
        void loadImageFile(app, f, at, sizeOfFlow(rf));
      });
    };
    window.addEventListener('dragover', over, true);
    window.addEventListener('drop', drop, true);
    return () => {
      window.removeEventListener('dragover', over, true);
      window.removeEventListener('drop', drop, true);
    };
  }, [app, rf]);
}

/** The palette's image section: a file input and the bundled images. */
export function ImageLoader(): React.JSX.Element {
  const app = useServices();
  const rf = useReactFlow();
  const centre = useCentre();
  useImageDrop(app);
  return (
    <section className="image-loader">
      <h3>Images</h3>
      <label
        className="button palette-item"
        title="A PNG or JPEG as a float32 [1, 3, H, W] tensor (values pixel/255), or drop one on the canvas"
      >
        Load image…
        <input
          type="file"
          accept={IMAGE_TYPES.join(',')}
          data-testid="load-image"
          className="visually-hidden"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) await loadImageFile(app, f, centre(), sizeOfFlow(rf));
          }}
        />
      </label>
      <select
        className="image-samples"
        data-testid="load-sample-image"
        value=""
        aria-label="Add a bundled image"
        onChange={(e) => {
          const name = e.target.value as DrawingName;
          if (name in DRAWINGS) addImageNode(app, bundledTensor(name), `${name}.png`, centre(), sizeOfFlow(rf));
        }}
      >
        <option value="">Sample image…</option>
        {(Object.keys(DRAWINGS) as DrawingName[]).map((n) => (
          <option key={n} value={n}>
            {DRAWINGS[n].title}
          </option>
        ))}
      </select>
    </section>
  );
}
