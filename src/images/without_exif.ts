// A PNG or JPEG file without its EXIF metadata, for browsers: Chromium rotates a picture by its EXIF
// orientation even with createImageBitmap's imageOrientation 'none', while PIL (and so torchvision) and
// the Node decoders ignore it. Removing the metadata makes every decoder see the pixels as stored.

/** `bytes` without JPEG APP1 "Exif" segments or PNG eXIf chunks; the same array when it has none. */
export function withoutExif(bytes: Uint8Array, format: 'png' | 'jpeg'): Uint8Array {
  const keep: Uint8Array[] = [];
  let dropped = false;
  let pos = format === 'png' ? 8 : 2;
  keep.push(bytes.subarray(0, pos));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (pos < bytes.length) {
    let end: number;
    let exif: boolean;
    if (format === 'png') {
      if (pos + 8 > bytes.length) break;
      end = pos + 12 + view.getUint32(pos);
      exif = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8)) === 'eXIf';
    } else {
      // Only the segments before the first scan carry metadata; from the scan on (or from anything other
      // than a plain segment: fill bytes, markers without a length) the rest is copied as it is.
      const marker = bytes[pos + 1];
      if (bytes[pos] !== 0xff || pos + 4 > bytes.length || marker === 0xda || marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) break;
      end = pos + 2 + view.getUint16(pos + 2);
      exif = bytes[pos + 1] === 0xe1 && String.fromCharCode(...bytes.subarray(pos + 4, pos + 8)) === 'Exif';
    }
    if (exif) dropped = true;
    else keep.push(bytes.subarray(pos, Math.min(end, bytes.length)));
    pos = end;
  }
  if (!dropped) return bytes;
  if (pos < bytes.length) keep.push(bytes.subarray(pos));
  const out = new Uint8Array(keep.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of keep) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
