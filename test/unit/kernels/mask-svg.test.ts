/** The SVG picture of a masks output: a valid 1-bit PNG per mask, scaled by whole pixels. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { masksSvg, pngDataUri } from '../../../kernels/mask-svg';
import type { MaskEntry } from '../../../kernels/mask-output';

/** The chunks of a PNG, each CRC checked. */
function chunks(png: Buffer): Map<string, Buffer> {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out = new Map<string, Buffer>();
  for (let at = 8; at < png.length;) {
    const n = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    out.set(type, png.subarray(at + 8, at + 8 + n));
    at += 12 + n;
  }
  return out;
}

const decode = (uri: string) => Buffer.from(uri.replace(/^data:image\/png;base64,/, ''), 'base64');

test('the PNG decodes to the pixels given (zlib, palette and transparency included)', () => {
  const on = (x: number, y: number) => (x * 3 + y) % 5 === 0;
  const png = chunks(decode(pngDataUri(21, 7, on)));
  const ihdr = png.get('IHDR')!;
  assert.deepEqual(
    [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]],
    [21, 7, 1, 3],
    '21 x 7, 1 bit, palette',
  );
  assert.equal(png.get('PLTE')!.length, 6);
  assert.equal(png.get('tRNS')!.length, 2);
  const raw = inflateSync(png.get('IDAT')!);
  const stride = Math.ceil(21 / 8) + 1;
  assert.equal(raw.length, stride * 7);
  for (let y = 0; y < 7; y++) {
    assert.equal(raw[y * stride], 0, 'filter type none');
    for (let x = 0; x < 21; x++) {
      const bit = (raw[y * stride + 1 + (x >> 3)]! >> (7 - (x & 7))) & 1;
      assert.equal(bit === 1, on(x, y), `pixel ${x}, ${y}`);
    }
  }
  assert.ok(png.has('IEND'));
  // Large images span several stored blocks.
  const big = chunks(decode(pngDataUri(1200, 500, (x, y) => x === y)));
  assert.equal(inflateSync(big.get('IDAT')!).length, (Math.ceil(1200 / 8) + 1) * 500);
});

test('one titled heatmap per mask, cells scaled by whole pixels', () => {
  const m = (units: number, timesteps: number): MaskEntry => ({
    layer: 'lstm',
    kind: 'recurrent_dropout',
    gate: 'i',
    direction: null,
    noiseShape: null,
    timesteps,
    units,
    kept: Array.from({ length: timesteps }, () =>
      Array.from({ length: units }, (_, u) => (u % 3 ? 1 : 0)),
    ),
  });
  const svg = masksSvg({ version: 1, sample: 0, masks: [m(8, 4), m(600, 300)] });
  assert.match(svg, /^<svg [^>]*width="616"/, 'as wide as the widest heatmap');
  const images = [
    ...svg.matchAll(/<image [^>]*width="(\d+)" height="(\d+)" xlink:href="([^"]+)"/g),
  ];
  assert.deepEqual(
    images.map((i) => [i[1], i[2]]),
    [
      ['96', '48'],
      ['600', '300'],
    ],
    '12 px cells for 8 units over 4 timesteps; 1 px cells beyond the plot size',
  );
  const ihdr = chunks(decode(images[0]![3]!)).get('IHDR')!;
  assert.deepEqual([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)], [96, 48]);
  assert.match(svg, /lstm · recurrent_dropout= \(state\) · gate i/);
  assert.match(svg, /8 units: the same 3 of 8 units dropped at every timestep/);
});
