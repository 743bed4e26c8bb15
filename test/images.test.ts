// Pictures to samples: Pillow's pipeline reproduced exactly (torchvision's ImageFolder: convert('RGB'),
// convert('L'), Resize with the bilinear filter), checked on Pillow's own output (test/fixtures/
// make_image_fixture.py) and against the float64 reference of the filter; PNG and JPEG decoding in Node
// against Pillow's decoding of the same files.
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { ImageError, imageToSample, isGrayscale, type RgbaImage } from '../src/index';
import { decodeImage, encodePng } from '../src/node';
import { resizePlane } from '../src/images/resize';
import { resizePlaneReference } from './reference/image_resize';
import { Random } from '../src/random';
import { crc32 } from '../src/images/crc32';
import { withoutExif } from '../src/images/without_exif';

interface Fixture {
  pillow: string;
  resize: { width: number; height: number; rgba: string; outputs: { width: number; height: number; channels: 1 | 3; sample: string }[] }[];
  png: { mode: string; png: string; rgb: string }[];
  jpeg: { kind: string; jpeg: string; rgb: string }[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/images_pil.json', import.meta.url), 'utf8')) as Fixture;
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

function randomImage(width: number, height: number, seed: number): RgbaImage {
  const random = new Random(seed);
  return { width, height, data: Uint8Array.from({ length: width * height * 4 }, () => random.below(256)) };
}

describe('imageToSample reproduces Pillow', () => {
  for (const c of fixture.resize) {
    for (const out of c.outputs) {
      test(`${c.width}×${c.height} RGBA → ${out.channels}×${out.height}×${out.width}`, () => {
        const image = { width: c.width, height: c.height, data: bytes(c.rgba) };
        expect(imageToSample(image, out)).toEqual(bytes(out.sample));
      });
    }
  }
});

describe('the resize filter against its float64 reference', () => {
  // Two roundings to 8 bits (after each pass, as Pillow does) and 22-bit weights: within one level.
  const cases = [[37, 23, 16, 16], [5, 7, 13, 19], [150, 120, 7, 9], [28, 28, 32, 32], [1, 64, 3, 5], [31, 17, 31, 9], [17, 31, 9, 31], [9, 9, 1, 1]];
  for (const [inH, inW, outH, outW] of cases) {
    test(`${inH}×${inW} → ${outH}×${outW}`, () => {
      const random = new Random(inH * 1000 + inW);
      const plane = Uint8Array.from({ length: inH * inW }, () => random.below(256));
      const got = resizePlane(plane, inH, inW, outH, outW);
      const want = resizePlaneReference(plane, inH, inW, outH, outW);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      expect(got.length).toBe(outH * outW);
      expect(worst).toBeLessThanOrEqual(1);
    });
  }

  test('a constant picture stays constant at any size', () => {
    const plane = new Uint8Array(13 * 29).fill(201);
    for (const [h, w] of [[5, 7], [40, 3], [13, 29], [1, 1]]) expect(resizePlane(plane, 13, 29, h, w).every((v) => v === 201)).toBe(true);
  });
});

describe('channels and alpha', () => {
  test('same size: the bytes pass through exactly, as CHW planes', () => {
    const image = randomImage(6, 4, 1);
    const sample = imageToSample(image, { height: 4, width: 6, channels: 3 });
    for (let c = 0; c < 3; c++) for (let i = 0; i < 24; i++) expect(sample[c * 24 + i]).toBe(image.data[4 * i + c]);
  });

  test('alpha is dropped, the stored colour kept (PIL convert("RGB")), also where alpha is 0', () => {
    const image = randomImage(5, 3, 2);
    const opaque = { ...image, data: image.data.map((v, i) => (i % 4 === 3 ? 255 : v)) };
    const clear = { ...image, data: image.data.map((v, i) => (i % 4 === 3 ? 0 : v)) };
    for (const format of [{ height: 3, width: 5, channels: 3 as const }, { height: 7, width: 2, channels: 1 as const }]) {
      expect(imageToSample(clear, format)).toEqual(imageToSample(opaque, format));
    }
  });

  test('luma is ITU-R 601-2 in Pillow\'s fixed point: (19595 R + 38470 G + 7471 B + 2^15) >> 16', () => {
    const colours = [[255, 0, 0, 76], [0, 255, 0, 150], [0, 0, 255, 29], [255, 255, 255, 255], [10, 20, 30, 18], [1, 1, 1, 1]];
    for (const [r, g, b, luma] of colours) {
      expect(imageToSample({ width: 1, height: 1, data: Uint8Array.of(r, g, b, 255) }, { height: 1, width: 1, channels: 1 })[0]).toBe(luma);
      expect(Math.abs(luma - (r * 0.299 + g * 0.587 + b * 0.114))).toBeLessThanOrEqual(0.5 + 1e-9);
    }
  });

  test('isGrayscale: R = G = B in every pixel, whatever alpha', () => {
    const gray = { width: 2, height: 1, data: Uint8Array.of(7, 7, 7, 0, 200, 200, 200, 255) };
    expect(isGrayscale(gray)).toBe(true);
    expect(isGrayscale({ ...gray, data: Uint8Array.of(7, 7, 7, 0, 200, 201, 200, 255) })).toBe(false);
  });

  test('a malformed image or target is refused with ImageError', () => {
    expect(() => imageToSample({ width: 2, height: 2, data: new Uint8Array(15) }, { height: 2, width: 2, channels: 3 }, 'x')).toThrow(ImageError);
    expect(() => imageToSample(randomImage(2, 2, 3), { height: 0, width: 2, channels: 3 })).toThrow(/target 3 × 0 × 2/);
    expect(() => imageToSample(randomImage(2, 2, 3), { height: 2, width: 2, channels: 2 as 3 })).toThrow(ImageError);
  });
});

describe('decodeImage (pngjs, jpeg-js) against Pillow', () => {
  const rgbOf = (image: RgbaImage) => image.data.filter((_, i) => i % 4 !== 3);
  for (const c of fixture.png) {
    test(`PNG mode ${c.mode}: exactly Pillow's convert("RGB")`, async () => {
      expect(rgbOf(await decodeImage(bytes(c.png), `${c.mode}.png`))).toEqual(bytes(c.rgb));
    });
  }

  // jpeg-js and libjpeg (Pillow, and Chromium's decoder) differ in their IDCT and chroma upsampling, so
  // JPEG is not bit-exact across decoders. Measured on this fixture: at most 2 levels (mean 0.56) at
  // 4:4:4, 1 (mean 0.07) in grayscale; at 4:2:0 jpeg-js replicates chroma where libjpeg interpolates it
  // ("fancy" upsampling): at most 20 levels, mean 5.4, on a colourful picture.
  const tolerance: Record<string, { max: number; mean: number }> = {
    '4:4:4': { max: 2, mean: 0.6 }, 'exif-rotated': { max: 2, mean: 0.6 }, gray: { max: 1, mean: 0.1 }, '4:2:0': { max: 20, mean: 5.5 },
  };
  for (const c of fixture.jpeg) {
    test(`JPEG ${c.kind}: within ${tolerance[c.kind].max} levels of Pillow, ${tolerance[c.kind].mean} on average`, async () => {
      const got = rgbOf(await decodeImage(bytes(c.jpeg), `${c.kind}.jpg`));
      const want = bytes(c.rgb);
      expect(got.length).toBe(want.length);
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < got.length; i++) {
        worst = Math.max(worst, Math.abs(got[i] - want[i]));
        sum += Math.abs(got[i] - want[i]);
      }
      expect(worst).toBeLessThanOrEqual(tolerance[c.kind].max);
      expect(sum / got.length).toBeLessThanOrEqual(tolerance[c.kind].mean);
    });
  }

  test('encodePng → decodeImage gives the pixels back, for 1 to 4 channels', async () => {
    const random = new Random(5);
    for (const channels of [1, 2, 3, 4] as const) {
      const data = Uint8Array.from({ length: 7 * 3 * channels }, () => random.below(256));
      const image = await decodeImage(encodePng({ width: 7, height: 3, channels, data }), 'round-trip.png');
      for (let p = 0; p < 21; p++) {
        const px = [...data.subarray(p * channels, (p + 1) * channels)];
        const rgba = channels <= 2 ? [px[0], px[0], px[0], channels === 2 ? px[1] : 255] : [...px.slice(0, 3), channels === 4 ? px[3] : 255];
        expect([...image.data.subarray(4 * p, 4 * p + 4)]).toEqual(rgba);
      }
    }
  });
  test('an interlaced (Adam7) PNG decodes to the same pixels as a plain one', async () => {
    for (const [width, height] of [[13, 11], [1, 1], [9, 2]]) {
      const random = new Random(width * height);
      const rgb = Uint8Array.from({ length: width * height * 3 }, () => random.below(256));
      const plain = await decodeImage(encodePng({ width, height, channels: 3, data: rgb }), 'plain.png');
      const interlaced = await decodeImage(adam7Png(width, height, rgb), 'interlaced.png');
      expect(interlaced.data).toEqual(plain.data);
    }
  });
});

test('withoutExif drops JPEG APP1 Exif segments and PNG eXIf chunks, nothing else', async () => {
  const jpeg = bytes(fixture.jpeg.find((c) => c.kind === 'exif-rotated')!.jpeg);
  const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
  const stripped = withoutExif(jpeg, 'jpeg');
  expect(text(jpeg)).toContain('Exif\0\0');
  expect(text(stripped)).not.toContain('Exif\0\0');
  expect((await decodeImage(stripped, 'stripped.jpg')).data).toEqual((await decodeImage(jpeg, 'exif.jpg')).data);
  const png = encodePng({ width: 2, height: 2, channels: 1, data: Uint8Array.of(1, 2, 3, 4) });
  const chunk = Uint8Array.of(0, 0, 0, 2, 0x65, 0x58, 0x49, 0x66, 9, 9, 0, 0, 0, 0); // eXIf, 2 bytes, CRC unchecked here
  const withChunk = Uint8Array.from([...png.subarray(0, 33), ...chunk, ...png.subarray(33)]);
  expect(withoutExif(withChunk, 'png')).toEqual(png);
  expect(withoutExif(png, 'png')).toBe(png);
});

/** An 8-bit RGB PNG with Adam7 interlacing: the seven passes' rows, each with filter 0, in one IDAT. */
function adam7Png(width: number, height: number, rgb: Uint8Array): Uint8Array {
  const rows: number[] = [];
  for (const [x0, y0, dx, dy] of [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]]) {
    if (x0 >= width) continue;
    for (let y = y0; y < height; y += dy) {
      rows.push(0);
      for (let x = x0; x < width; x += dx) rows.push(...rgb.subarray(3 * (y * width + x), 3 * (y * width + x) + 3));
    }
  }
  const plain = encodePng({ width, height, channels: 3, data: rgb });
  const head = plain.slice(0, 33);
  head[28] = 1;
  new DataView(head.buffer).setUint32(29, crc32(head, 12, 29));
  const body = deflateSync(Uint8Array.from(rows));
  const idat = new Uint8Array(12 + body.length);
  new DataView(idat.buffer).setUint32(0, body.length);
  idat.set([73, 68, 65, 84], 4);
  idat.set(body, 8);
  new DataView(idat.buffer).setUint32(8 + body.length, crc32(idat, 4, 8 + body.length));
  return Uint8Array.from([...head, ...idat, ...plain.subarray(plain.length - 12)]);
}
