// Headless Chromium for browser tests (Debian's /usr/bin/chromium, driven by playwright-core), and the
// pixel helpers the tests use to check what was actually drawn.
import { existsSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Software WebGL2 (SwiftShader) that works headless, without a GPU, and without any network chatter. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
];

export const chromiumAvailable = (): boolean => existsSync(CHROMIUM_PATH);

export const CHROMIUM_MISSING = `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium fonts-noto-cjk) or set CHROMIUM_PATH`;

export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable()) throw new Error(CHROMIUM_MISSING);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * Code handed to page.evaluate is compiled by the test runner, which may wrap named functions in
 * `__name(...)`; this makes that helper exist in the page. Pass it to `context.addInitScript`.
 */
export const NAME_SHIM = 'globalThis.__name = globalThis.__name || ((f) => f);';

/**
 * Waits until the map's camera stands still (a drill-down's fly-to has ended): the point stays on the same
 * screen pixel, to a tenth, over five polls 100 ms apart. Reads window.__OPSMAP__ (client/map/MapView.tsx).
 */
export async function waitCameraStill(page: Page, [lon, lat]: readonly [number, number]): Promise<void> {
  const key = Math.random().toString(36).slice(2);
  await page.waitForFunction(
    ([lon, lat, key]) => {
      const w = window as unknown as {
        __OPSMAP__?: { project(lon: number, lat: number): [number, number] };
        __cameraStill?: Record<string, { at: string; polls: number }>;
      };
      const at =
        w.__OPSMAP__
          ?.project(lon, lat)
          .map((v) => v.toFixed(1))
          .join() ?? '';
      const last = ((w.__cameraStill ??= {})[key] ??= { at: '', polls: 0 });
      last.polls = at !== '' && at === last.at ? last.polls + 1 : 0;
      last.at = at;
      return last.polls >= 4;
    },
    [lon, lat, key] as const,
    { polling: 100, timeout: 30_000 },
  );
}

// ---- pixels ----

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row by row. */
  data: Uint8Array;
}

/** Decodes the PNGs Chromium writes (8-bit RGB or RGBA, not interlaced), with node:zlib only. */
export function decodePng(png: Buffer): RgbaImage {
  const SIGNATURE = '89504e470d0a1a0a';
  if (png.subarray(0, 8).toString('hex') !== SIGNATURE) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const bitDepth = body[8];
      colorType = body[9] ?? 0;
      if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6) || body[12] !== 0) {
        throw new Error(`unsupported PNG: bit depth ${bitDepth}, colour type ${colorType}, interlace ${body[12]}`);
      }
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const channels = colorType === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = y * (stride + 1) + 1;
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const cur = raw[row + x] ?? 0;
      const left = x >= channels ? (pixels[out + x - channels] ?? 0) : 0;
      const up = y > 0 ? (pixels[out - stride + x] ?? 0) : 0;
      const upLeft = y > 0 && x >= channels ? (pixels[out - stride + x - channels] ?? 0) : 0;
      let value: number;
      switch (filter) {
        case 0:
          value = cur;
          break;
        case 1:
          value = cur + left;
          break;
        case 2:
          value = cur + up;
          break;
        case 3:
          value = cur + ((left + up) >> 1);
          break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - upLeft);
          value = cur + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw new Error(`bad PNG filter ${filter} in row ${y}`);
      }
      pixels[out + x] = value & 0xff;
    }
  }
  if (channels === 4) return { width, height, data: pixels };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < pixels.length; i += 3, j += 4) {
    rgba[j] = pixels[i] ?? 0;
    rgba[j + 1] = pixels[i + 1] ?? 0;
    rgba[j + 2] = pixels[i + 2] ?? 0;
    rgba[j + 3] = 255;
  }
  return { width, height, data: rgba };
}

function parseHex(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** Share (0–1) of the pixels inside `region` within `tolerance` (per channel) of `hex`. */
export function shareOfColour(
  image: RgbaImage,
  hex: string,
  tolerance = 6,
  region = { x: 0, y: 0, width: image.width, height: image.height },
): number {
  const [r, g, b] = parseHex(hex);
  let hits = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      const i = (y * image.width + x) * 4;
      if (
        Math.abs((image.data[i] ?? 0) - r) <= tolerance &&
        Math.abs((image.data[i + 1] ?? 0) - g) <= tolerance &&
        Math.abs((image.data[i + 2] ?? 0) - b) <= tolerance
      ) {
        hits++;
      }
    }
  }
  return hits / (region.width * region.height);
}
