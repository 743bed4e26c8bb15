// Hostile and broken image files: each refused with an ImageError that names the file and the reason,
// before a decoder allocates what the file declares (checked on the process's ArrayBuffer memory).
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { ImageError, inspectImage, type ImageErrorReason } from '../src/index';
import { decodeImage, encodePng } from '../src/node';
import { crc32 } from '../src/images/crc32';
import { Random } from '../src/random';

const random = new Random(7);
const png = encodePng({ width: 24, height: 16, channels: 3, data: Uint8Array.from({ length: 24 * 16 * 3 }, () => random.below(256)) });
const fixture = JSON.parse(readFileSync(new URL('./fixtures/images_pil.json', import.meta.url), 'utf8')) as { jpeg: { kind: string; jpeg: string }[] };
const jpeg = new Uint8Array(Buffer.from(fixture.jpeg.find((c) => c.kind === '4:4:4')!.jpeg, 'base64'));

/** A copy of `bytes` with `patch` written at `offset` (and the IHDR CRC fixed when asked). */
function patched(bytes: Uint8Array, offset: number, patch: number[], fixIhdrCrc = false): Uint8Array {
  const out = bytes.slice();
  out.set(patch, offset);
  if (fixIhdrCrc) new DataView(out.buffer).setUint32(29, crc32(out, 12, 29));
  return out;
}
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u16 = (n: number) => [n >>> 8, n & 255];

/** A PNG of the given header whose IDAT holds `raw` compressed (a "zip bomb" when raw is large and uniform). */
function pngWithData(width: number, height: number, raw: Uint8Array, interlace = 0): Uint8Array {
  const head = patched(png, 16, [...u32(width), ...u32(height), 8, 2, 0, 0, interlace], true).subarray(0, 33);
  const body = deflateSync(raw, { level: 9 });
  const chunk = new Uint8Array(12 + body.length);
  new DataView(chunk.buffer).setUint32(0, body.length);
  chunk.set([73, 68, 65, 84], 4);
  chunk.set(body, 8);
  new DataView(chunk.buffer).setUint32(8 + body.length, crc32(chunk, 4, 8 + body.length));
  const end = png.subarray(png.length - 12);
  return Uint8Array.from([...head, ...chunk, ...end]);
}

const sofAt = (() => {
  for (let i = 2; i < jpeg.length - 1; i++) if (jpeg[i] === 0xff && (jpeg[i + 1] === 0xc0 || jpeg[i + 1] === 0xc2)) return i;
  throw new Error('no SOF in the fixture');
})();
const sosAt = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xda);

const cases: [string, Uint8Array, ImageErrorReason, RegExp?][] = [
  ['empty file', new Uint8Array(0), 'truncated'],
  ['GIF', new TextEncoder().encode('GIF89a\x01\x00\x01\x00'), 'not-an-image', /47 49 46 38 39 61/],
  ['text', new TextEncoder().encode('hello, world'), 'not-an-image'],
  ['PNG signature cut', png.subarray(0, 5), 'truncated'],
  ['PNG header cut at 8', png.subarray(0, 8), 'truncated'],
  ['PNG header cut at 20', png.subarray(0, 20), 'truncated'],
  ['PNG header cut at 32', png.subarray(0, 32), 'truncated'],
  ['PNG zero width', patched(png, 16, u32(0), true), 'zero-size', /0 × 16/],
  ['PNG zero height', patched(png, 20, u32(0), true), 'zero-size'],
  ['PNG width 2^31 − 1', patched(png, 16, u32(2 ** 31 - 1), true), 'too-large', /2147483647 × 16/],
  ['PNG 16385 wide', patched(png, 16, u32(16385), true), 'too-large'],
  ['PNG 9000 × 9000 (over 2^26 pixels)', patched(png, 16, [...u32(9000), ...u32(9000)], true), 'too-large'],
  ['PNG 8192 × 8192 with 400 bytes of data', patched(png, 16, [...u32(8192), ...u32(8192)], true), 'truncated', /1032:1/],
  ['PNG IHDR CRC wrong', patched(png, 29, [0, 0, 0, 0]), 'corrupt', /CRC/],
  ['PNG bit depth 3', patched(png, 24, [3], true), 'corrupt'],
  ['PNG first chunk not IHDR', patched(png, 12, [73, 68, 65, 84]), 'corrupt'],
  ['PNG cut inside IDAT', png.subarray(0, png.length - 100), 'truncated'],
  ['PNG without IEND', png.subarray(0, png.length - 12), 'truncated'],
  ['PNG IDAT data corrupted (CRC fixed)', corruptIdat(png), 'corrupt'],
  ['PNG interlaced, inflating to 100 MB', pngWithData(1000, 100, new Uint8Array(100_000_000), 1), 'corrupt'],
  ['PNG inflating past its pixels', pngWithData(64, 64, new Uint8Array(5_000_000)), 'corrupt'],
  ['JPEG SOI only', jpeg.subarray(0, 2), 'truncated'],
  ['JPEG cut before its frame header', jpeg.subarray(0, sofAt + 3), 'truncated'],
  ['JPEG cut inside its frame header', jpeg.subarray(0, sofAt + 8), 'truncated'],
  ['JPEG zero height', patched(jpeg, sofAt + 5, u16(0)), 'zero-size'],
  ['JPEG 65535 × 65535', patched(jpeg, sofAt + 5, [...u16(65535), ...u16(65535)]), 'too-large'],
  ['JPEG 8192 × 8192 in 1 KB', patched(jpeg, sofAt + 5, [...u16(8192), ...u16(8192)]), 'truncated', /blocks/],
  ['JPEG 12-bit', patched(jpeg, sofAt + 4, [12]), 'unsupported'],
  ['JPEG CMYK (4 components)', patched(jpeg, sofAt + 9, [4]), 'unsupported', /4 components/],
  ['JPEG lossless (SOF3)', patched(jpeg, sofAt + 1, [0xc3]), 'unsupported'],
  ['JPEG scan before frame', Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0]), 'corrupt'],
  ['JPEG bad marker', Uint8Array.from([0xff, 0xd8, 0x12, 0x34, 0, 0]), 'corrupt'],
  ['JPEG cut in its scan', jpeg.subarray(0, sosAt + 40), 'truncated'],
  ['JPEG cut half way', jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'truncated'],
  ['JPEG without its last bytes', jpeg.subarray(0, jpeg.length - 30), 'truncated'],
];

function corruptIdat(file: Uint8Array): Uint8Array {
  const out = file.slice();
  const view = new DataView(out.buffer);
  const length = view.getUint32(33);
  for (let i = 0; i < 12; i++) out[33 + 8 + 2 + i] ^= 0x5a; // past zlib's 2-byte header
  view.setUint32(33 + 8 + length, crc32(out, 37, 33 + 8 + length));
  return out;
}

describe('hostile or broken files are refused with ImageError', () => {
  for (const [label, bytes, reason, message] of cases) {
    test(label, async () => {
      const before = process.memoryUsage().arrayBuffers;
      const error = await decodeImage(bytes, `files/${label}.img`).then(() => undefined, (e: unknown) => e);
      const grown = process.memoryUsage().arrayBuffers - before;
      expect(error).toBeInstanceOf(ImageError);
      expect((error as ImageError).reason).toBe(reason);
      expect((error as ImageError).source).toBe(`files/${label}.img`);
      expect((error as ImageError).message).toMatch(new RegExp(`^files/${label.replace(/[()^$.*+?[\]]/g, '\\$&')}\\.img: `));
      if (message) expect((error as ImageError).message).toMatch(message);
      // Nothing near what an absurd header declares (256 MiB and more) was allocated.
      expect(grown).toBeLessThan(32 * 2 ** 20);
    });
  }

  test('the valid files these were made from decode', async () => {
    expect(inspectImage(png, 'p.png')).toEqual({ format: 'png', width: 24, height: 16, interlaced: false });
    expect((await decodeImage(png, 'p.png')).data.length).toBe(24 * 16 * 4);
    expect(inspectImage(jpeg, 'j.jpg')).toMatchObject({ format: 'jpeg', width: 40, height: 30 });
    expect((await decodeImage(jpeg, 'j.jpg')).data.length).toBe(40 * 30 * 4);
  });
});
