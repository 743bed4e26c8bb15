// One "all close" check for every GPU-vs-reference comparison, with the project's stated f32 tolerances:
// ‖gpu − ref‖ / ‖ref‖ ≤ 1e-5, and every element within 1e-4 + 1e-3·|ref|. A NaN anywhere (an element
// nobody wrote keeps its NaN poison) fails.
import { afterAll, expect } from 'vitest';

export interface Tolerance {
  normRelative: number;
  absolute: number;
  relative: number;
}

export const F32: Tolerance = { normRelative: 1e-5, absolute: 1e-4, relative: 1e-3 };

/** The largest errors seen in a test file, printed when it ends, so the figures quoted come from a run. */
export const worst = { normRelative: 0, element: 0, comparisons: 0 };
afterAll(() => {
  if (worst.comparisons === 0) return;
  console.log(`largest f32 error in ${worst.comparisons} comparisons: ‖gpu − ref‖/‖ref‖ ${worst.normRelative.toExponential(2)}, element ${worst.element.toExponential(2)}`);
});

export function expectClose(name: string, gpu: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance = F32, skip?: (i: number) => boolean): void {
  expect(gpu.length, `${name}: length`).toBe(ref.length);
  let diff2 = 0;
  let ref2 = 0;
  let worstElement = 0;
  for (let i = 0; i < ref.length; i++) {
    if (skip?.(i)) continue;
    const d = gpu[i] - ref[i];
    if (!Number.isFinite(gpu[i])) throw new Error(`${name}: element ${i} is ${gpu[i]} (reference ${ref[i]}): not written, or not finite`);
    diff2 += d * d;
    ref2 += ref[i] * ref[i];
    const excess = Math.abs(d) / (tol.absolute + tol.relative * Math.abs(ref[i]));
    if (excess > 1) throw new Error(`${name}: element ${i} is ${gpu[i]}, reference ${ref[i]} (|diff| ${Math.abs(d).toExponential(2)})`);
    worstElement = Math.max(worstElement, Math.abs(d));
  }
  const normRelative = ref2 === 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / ref2);
  expect(normRelative, `${name}: ‖gpu − ref‖ / ‖ref‖`).toBeLessThanOrEqual(tol.normRelative);
  worst.normRelative = Math.max(worst.normRelative, normRelative);
  worst.comparisons++;
  worst.element = Math.max(worst.element, worstElement);
}

export const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
