// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the counter-based
// generator Dropout draws from on the GPU. Written with BigInt products, independently of the shader's
// 16-bit-halves multiply, and checked against Random123's published known-answer vectors.

const M0 = 0xd2511f53n;
const M1 = 0xcd9e8d57n;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

function mulhilo(a: number, b: bigint): [hi: number, lo: number] {
  const product = BigInt(a >>> 0) * b;
  return [Number(product >> 32n), Number(product & 0xffffffffn)];
}

/** The four 32-bit words Philox-4x32-10 gives for a 4-word counter and a 2-word key. */
export function philox4x32(counter: readonly number[], key: readonly number[]): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter.map((v) => v >>> 0);
  let [k0, k1] = key.map((v) => v >>> 0);
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const [hi0, lo0] = mulhilo(c0, M0);
    const [hi1, lo1] = mulhilo(c2, M1);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
  }
  return [c0, c1, c2, c3];
}
