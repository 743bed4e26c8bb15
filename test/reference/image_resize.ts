// The float64 reference of resizing: the antialiased triangle filter written from its definition, as a
// weighted average over the whole picture with no fixed point and no rounding between passes. Output
// pixel i of n, from m source pixels, is centred at (i + ½)·m/n; source pixel j (centre j + ½) weighs
// max(0, 1 − |j + ½ − centre| / max(m/n, 1)); weights are normalised over the picture.

function axisWeights(inSize: number, outSize: number): Float64Array[] {
  const scale = inSize / outSize;
  const width = Math.max(scale, 1);
  return Array.from({ length: outSize }, (_, i) => {
    const centre = (i + 0.5) * scale;
    const w = Float64Array.from({ length: inSize }, (_, j) => Math.max(0, 1 - Math.abs(j + 0.5 - centre) / width));
    const sum = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / sum);
  });
}

/** One plane (rows × columns, values 0–255) resized, unrounded. */
export function resizePlaneReference(plane: ArrayLike<number>, inH: number, inW: number, outH: number, outW: number): Float64Array {
  const wy = axisWeights(inH, outH);
  const wx = axisWeights(inW, outW);
  const out = new Float64Array(outH * outW);
  for (let i = 0; i < outH; i++) {
    for (let j = 0; j < outW; j++) {
      let sum = 0;
      for (let y = 0; y < inH; y++) {
        if (wy[i][y] === 0) continue;
        for (let x = 0; x < inW; x++) sum += wy[i][y] * wx[j][x] * plane[y * inW + x];
      }
      out[i * outW + j] = sum;
    }
  }
  return out;
}
