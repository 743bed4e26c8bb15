// An ImageBitmap's pixels as stored, RGBA not premultiplied. Through WebGL2 when the browser has it: a
// texture uploaded without premultiplication and read back from a framebuffer keeps every byte, also of
// pixels that are not opaque. Otherwise through a 2D canvas, which browsers store premultiplied: there the
// colour of a pixel that is not opaque can change by rounding, and a fully transparent pixel reads as black.

/** The bitmap's `width × height × 4` bytes, row by row from the top. */
export function readPixels(bitmap: ImageBitmap): Uint8Array {
  return readWithWebgl(bitmap) ?? readWithCanvas(bitmap);
}

function readWithWebgl(bitmap: ImageBitmap): Uint8Array | undefined {
  const { width, height } = bitmap;
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2', { premultipliedAlpha: false, antialias: false, depth: false });
  if (!gl) return undefined;
  try {
    const texture = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, bitmap);
    gl.bindFramebuffer(gl.FRAMEBUFFER, gl.createFramebuffer());
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) return undefined;
    // The texture's first row is the picture's top row, and readPixels starts at row 0: no flip.
    const out = new Uint8Array(width * height * 4);
    gl.pixelStorei(gl.PACK_ALIGNMENT, 1);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, out);
    return gl.getError() === gl.NO_ERROR ? out : undefined;
  } finally {
    // Browsers keep a few WebGL contexts at most: free this one now rather than when it is collected.
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}

function readWithCanvas(bitmap: ImageBitmap): Uint8Array {
  const { width, height } = bitmap;
  const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' })!;
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
  return new Uint8Array(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
}
