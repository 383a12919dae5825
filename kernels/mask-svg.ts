/**
 * A static picture of a masks output, as SVG text saved with the notebook for viewers without
 * the RNN Lab renderer. Each heatmap is a 1-bit PNG inside the SVG (a GRU(512) over 100
 * timesteps is 51,200 cells: a few kilobytes as an image, megabytes as SVG shapes), scaled by
 * whole pixels so that no viewer has to be told how to scale it. No background and mid tones
 * only, as kernels/svg.ts: kept a saturated blue, dropped a translucent grey, on light or dark.
 */
import { cellSize, maskCaption, maskSize, maskTitle, type MasksOutput } from './mask-output';

const WIDTH = 560;
const PAD = 8;
/** The widest and tallest a heatmap is drawn before cells shrink to one pixel. */
const MAX_PLOT_W = WIDTH - 2 * PAD;
const MAX_PLOT_H = 160;
const MAX_CELL = 12;
const TEXT = '#8a8f98';
const KEPT: [number, number, number, number] = [59, 130, 246, 255];
const DROPPED: [number, number, number, number] = [138, 143, 152, 80];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

let crcTable: Uint32Array | null = null;

function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

function chunk(type: string, data: Uint8Array | number[]): number[] {
  const body = new Uint8Array(4 + data.length);
  for (let i = 0; i < 4; i++) body[i] = type.charCodeAt(i);
  body.set(data, 4);
  return [...u32(data.length), ...body, ...u32(crc32(body))];
}

/** zlib data in stored (uncompressed) blocks: a 1-bit image is small enough as it is. */
function zlibStored(raw: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(raw.length / 65535));
  const out = new Uint8Array(2 + raw.length + blocks * 5 + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let at = 2;
  for (let i = 0; i < blocks; i++) {
    const part = raw.subarray(i * 65535, Math.min(raw.length, (i + 1) * 65535));
    out[at++] = i === blocks - 1 ? 1 : 0;
    out[at++] = part.length & 255;
    out[at++] = part.length >>> 8;
    out[at++] = ~part.length & 255;
    out[at++] = (~part.length >>> 8) & 255;
    out.set(part, at);
    at += part.length;
  }
  out.set(u32(adler32(raw)), at);
  return out;
}

/** A two-colour PNG (index 1 where `on(x, y)`), as a data URI. */
export function pngDataUri(w: number, h: number, on: (x: number, y: number) => boolean): string {
  const stride = Math.ceil(w / 8) + 1;
  const raw = new Uint8Array(stride * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!on(x, y)) continue;
      const i = y * stride + 1 + (x >> 3);
      raw[i] = (raw[i] ?? 0) | (0x80 >> (x & 7));
    }
  }
  const bytes = [
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...chunk('IHDR', [...u32(w), ...u32(h), 1, 3, 0, 0, 0]),
    ...chunk('PLTE', [...DROPPED.slice(0, 3), ...KEPT.slice(0, 3)]),
    ...chunk('tRNS', [DROPPED[3], KEPT[3]]),
    ...chunk('IDAT', zlibStored(raw)),
    ...chunk('IEND', []),
  ];
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.slice(i, i + 0x8000));
  return `data:image/png;base64,${btoa(binary)}`;
}

/** Every mask of the output: its title, caption and heatmap (rows timesteps, columns units). */
export function masksSvg(o: MasksOutput): string {
  const parts: string[] = [];
  let y = PAD;
  let width = WIDTH;
  for (const m of o.masks) {
    const { w: cw, h: ch } = cellSize(m, MAX_PLOT_W, MAX_PLOT_H, MAX_CELL);
    const w = m.units * cw;
    const h = m.timesteps * ch;
    width = Math.max(width, w + 2 * PAD);
    const uri = pngDataUri(
      w,
      h,
      (px, py) => m.kept[Math.floor(py / ch)]![Math.floor(px / cw)] === 1,
    );
    parts.push(
      `<text x="${PAD}" y="${y + 12}" fill="${TEXT}" font-weight="bold">${esc(maskTitle(m))}</text>`,
      `<text x="${PAD}" y="${y + 28}" fill="${TEXT}">${esc(`${maskSize(m)}: ${maskCaption(m)}`)}</text>`,
      `<image x="${PAD}" y="${y + 36}" width="${w}" height="${h}" xlink:href="${uri}"/>`,
      `<rect x="${PAD - 0.5}" y="${y + 35.5}" width="${w + 1}" height="${h + 1}" fill="none" stroke="${TEXT}" stroke-opacity="0.6"/>`,
    );
    y += 36 + h + 18;
  }
  const height = y + PAD - 18;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(`Dropout masks of sample ${o.sample}: kept units blue, dropped grey`)}</title>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
