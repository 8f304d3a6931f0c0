// Layout checks by the DOM, for the phone and tablet tests: which visible texts overlap, which are cut by the
// screen's edge, whether the page scrolls sideways, and which tap targets are smaller than 44 px. Computed in
// the page from the boxes the browser laid out (Range rects of every text node, getBoundingClientRect of the
// interactive elements), so a failure names the texts and the elements, not pixels.
import type { Page } from 'playwright-core';

export interface TextBox {
  text: string;
  /** The nearest element's tag and classes, e.g. `span.landing-kpi-value`. */
  at: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LayoutReport {
  viewport: { width: number; height: number };
  /** document.scrollingElement.scrollWidth: more than the viewport's width is a sideways scroll. */
  scrollWidth: number;
  /** Visible texts whose boxes overlap by more than 2 px each way. */
  overlaps: [TextBox, TextBox][];
  /** Visible texts that run past the left or right edge of the screen. */
  cut: TextBox[];
  /** Visible texts shown only in part: cut off by an ellipsis or by a box narrower than the text. */
  truncated: TextBox[];
  /** Elements wider than the viewport or reaching past its right edge (not inside a sideways scroller). */
  wide: TextBox[];
  /** Visible buttons, links, inputs and selects smaller than the minimum tap target. */
  small: TextBox[];
}

/** Apple's and WCAG 2.5.5's minimum touch target. */
export const TAP_TARGET_PX = 44;

/**
 * The layout of what is on screen now. A text counts as visible when some of it lies inside every clipping
 * ancestor and inside the viewport vertically, and the element at its middle is the text's own (not an
 * overlay above it). Text scrolled away inside a list or below the fold is not judged.
 */
export async function measureLayout(page: Page, tap = TAP_TARGET_PX): Promise<LayoutReport> {
  // A string, not a function: the test runner's transform would wrap named functions in helpers the page lacks.
  return (await page.evaluate(`(${LAYOUT_SCRIPT})(${tap})`)) as LayoutReport;
}

const LAYOUT_SCRIPT = String.raw`(tap) => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const describe = (el) => {
    const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    return el.tagName.toLowerCase() + cls;
  };
  const box = (text, el, r) => ({ text: text.slice(0, 60), at: describe(el), x: Math.round(r.left), y: Math.round(r.top), width: Math.round(r.width), height: Math.round(r.height) });
  // The part of r left after every ancestor that clips (overflow not visible), or null.
  const clipped = (el, r, self) => {
    let left = r.left, top = r.top, right = r.right, bottom = r.bottom;
    for (let a = self ? el : el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
        const c = a.getBoundingClientRect();
        if (s.overflowX !== 'visible') { left = Math.max(left, c.left); right = Math.min(right, c.right); }
        if (s.overflowY !== 'visible') { top = Math.max(top, c.top); bottom = Math.min(bottom, c.bottom); }
      }
      if (s.position === 'fixed') break;
    }
    top = Math.max(top, 0); bottom = Math.min(bottom, vh);
    return { left, top, right, bottom };
  };
  const visible = (c) => c.right - c.left > 1 && c.bottom - c.top > 1;
  const shown = (el) => {
    for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
    }
    return true;
  };
  // On top: the element at a point of the visible part is this one or inside it (or it inside that).
  const onTop = (el, c) => {
    const x = Math.min(Math.max((c.left + c.right) / 2, 0), vw - 1);
    const y = Math.min(Math.max((c.top + c.bottom) / 2, 0), vh - 1);
    const hit = document.elementFromPoint(x, y);
    return !!hit && (hit === el || el.contains(hit) || hit.contains(el));
  };
  const sideways = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && a.scrollWidth > a.clientWidth) return true;
    }
    return false;
  };

  const texts = [], gone = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el || !shown(el)) continue;
    if (el.closest('script,style,noscript,canvas,svg,option,[aria-hidden="true"]')) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      // A text is clipped by its own element too (an ellipsis, a fixed height).
      const c = clipped(el, r, true);
      // Cut away to nothing sideways (a column squeezed to zero width) while its line is on screen.
      if (c.bottom - c.top > 1 && c.right - c.left <= 1) { if (!el.closest('.maplibregl-marker, .maplibregl-canvas-container')) gone.push(box(text, el, r)); continue; }
      if (!visible(c) || !onTop(el, c)) continue;
      texts.push({ node: n, el, r, c, text });
    }
  }
  const overlaps = [];
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i], b = texts[j];
      if (a.node === b.node) continue;
      const w = Math.min(a.c.right, b.c.right) - Math.max(a.c.left, b.c.left);
      const h = Math.min(a.c.bottom, b.c.bottom) - Math.max(a.c.top, b.c.top);
      if (w > 2 && h > 2) overlaps.push([box(a.text, a.el, a.r), box(b.text, b.el, b.r)]);
    }
  }
  const cut = texts.filter((t) => !t.el.closest('.maplibregl-marker')).filter((t) => t.r.left < -1 || t.r.right > vw + 1).map((t) => box(t.text, t.el, t.r));
  // Shown only in part: an ellipsis or a box too narrow for its line (the screen's edge is counted in cut).
  // A label on the map half past the map's edge is panned away, not cut by the layout.
  const onMap = (t) => !!t.el.closest('.maplibregl-marker, .maplibregl-canvas-container');
  const truncated = texts
    .filter((t) => !onMap(t))
    .filter((t) => t.r.left >= -1 && t.r.right <= vw + 1 && (t.c.right - t.c.left < t.r.width - 2 || t.el.scrollWidth > t.el.clientWidth + 1 && getComputedStyle(t.el).textOverflow === 'ellipsis'))
    .map((t) => box(t.text, t.el, t.r))
    .concat(gone);

  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg,canvas')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    if ((r.width > vw + 1 || r.right > vw + 1) && shown(el) && !sideways(el) && clipped(el, r).right > vw + 1)
      wide.push(box((el.textContent || '').trim(), el, r));
  }

  const small = [];
  const interactive = 'button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button], [role=tab], [role=switch], [role=checkbox]';
  for (const el of document.querySelectorAll(interactive)) {
    if (!shown(el) || el.closest('[aria-hidden="true"]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const c = clipped(el, r);
    if (!visible(c) || !onTop(el, c)) continue;
    // A check box or radio is judged by its label, which is what a finger taps.
    const target = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label') ? el.closest('label').getBoundingClientRect() : r;
    if (target.width < tap - 0.5 || target.height < tap - 0.5) small.push(box((el.textContent || el.getAttribute('aria-label') || '').trim(), el, target));
  }
  return { viewport: { width: vw, height: vh }, scrollWidth: document.scrollingElement.scrollWidth, overlaps, cut, truncated, wide, small };
}`;

/** One line per problem, for an assertion message a person can act on. */
export function describeLayout(r: LayoutReport): string {
  const b = (t: TextBox) => `"${t.text}" (${t.at} at ${t.x},${t.y} ${t.width}×${t.height})`;
  return [
    `viewport ${r.viewport.width}×${r.viewport.height}, scrollWidth ${r.scrollWidth}`,
    ...r.overlaps.map(([a, c]) => `overlap: ${b(a)} / ${b(c)}`),
    ...r.cut.map((t) => `cut by the edge: ${b(t)}`),
    ...r.truncated.map((t) => `truncated: ${b(t)}`),
    ...r.wide.map((t) => `wider than the screen: ${b(t)}`),
    ...r.small.map((t) => `tap target under ${TAP_TARGET_PX} px: ${b(t)}`),
  ].join('\n');
}
