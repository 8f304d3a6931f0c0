// The current map view as a PNG. MapLibre draws into a WebGL canvas whose drawing buffer is cleared once the
// frame is on screen (no preserveDrawingBuffer: keeping it costs every frame), so the pixels are copied inside
// the 'render' event of a fresh frame, while they are still there. deck.gl runs interleaved (one MapLibre
// canvas); should it ever get its own canvas, every canvas of the map's container is drawn, in DOM order.
import type { Map as MapLibreMap } from 'maplibre-gl';

/** Copies the map's canvases into one 2D canvas at device pixels, on the next frame. */
export function snapshotMap(map: MapLibreMap): Promise<HTMLCanvasElement> {
  return new Promise((resolve, reject) => {
    map.once('render', () => {
      try {
        const base = map.getCanvas();
        const out = document.createElement('canvas');
        out.width = base.width;
        out.height = base.height;
        const ctx = out.getContext('2d');
        if (!ctx) throw new Error('no 2D context');
        const container = map.getCanvasContainer().parentElement ?? map.getCanvasContainer();
        const canvases = [...container.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0);
        for (const c of canvases.includes(base) ? canvases : [base, ...canvases])
          ctx.drawImage(c, 0, 0, out.width, out.height);
        resolve(out);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    map.triggerRepaint();
  });
}

export function canvasToPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('empty image'))), 'image/png'),
  );
}

/** Hands a blob to the browser as a download named `fileName`. */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download; the URL can go once the browser has taken it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
