// The chart colours of the current theme, read from the CSS variables of base.css (--text, --text-dim,
// --panel-border, --accent) so that a chart follows the wall / desk toggle like the rest of the page.
import { useEffect, useState, type RefObject } from 'react';

export interface ChartPalette {
  text: string;
  textDim: string;
  border: string;
  accent: string;
  /** New tickets: warm (work coming in). */
  created: string;
  /** Closed tickets: green (work done). */
  closed: string;
}

const FALLBACK: ChartPalette = {
  text: '#e6f1ff',
  textDim: '#8fa6c4',
  border: '#1d3350',
  accent: '#f2c14e',
  created: '#ff9a4d',
  closed: '#3ddc97',
};

export function readPalette(el: Element | null): ChartPalette {
  if (!el || typeof getComputedStyle !== 'function') return FALLBACK;
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', FALLBACK.text),
    textDim: v('--text-dim', FALLBACK.textDim),
    border: v('--panel-border', FALLBACK.border),
    accent: v('--accent', FALLBACK.accent),
    created: v('--chart-created', FALLBACK.created),
    closed: v('--ok', FALLBACK.closed),
  };
}

/**
 * The palette of the theme the element sits in, re-read when the page's .app element changes class (the theme
 * toggle): the theme is a class on .app, not a prop the panels get. Same object until the theme changes, so
 * chart options built from it are not rebuilt on every render.
 */
export function usePalette(ref: RefObject<Element | null>): ChartPalette {
  const [palette, setPalette] = useState<ChartPalette>(FALLBACK);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const app = el.closest('.app') ?? el;
    let last = '';
    const read = () => {
      const next = readPalette(el);
      const key = JSON.stringify(next);
      if (key !== last) {
        last = key;
        setPalette(next);
      }
    };
    read();
    const observer = new MutationObserver(read);
    observer.observe(app, { attributes: true, attributeFilter: ['class'] });
    return () => observer.disconnect();
  }, [ref]);
  return palette;
}
