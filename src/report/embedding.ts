// The 2-D embedding of the hidden features: UMAP (umap-js, already the demo's choice), not t-SNE. UMAP
// finds neighbours with random-projection trees and NN-descent, so 2,000 points of 1568 values take
// seconds, where exact t-SNE's pairwise affinities grow with the square of the points; and it keeps more
// of the global layout (which classes lie near which). Seeded, so the same features give the same map.
import { Random } from '../random';

/** UMAP's defaults (umap-learn's too): 15 neighbours, min_dist 0.1. */
export const UMAP_NEIGHBOURS = 15;
export const UMAP_MIN_DIST = 0.1;

/** The 2-D positions (x, y interleaved) of `count` vectors of `dim` values each, laid out by UMAP with a generator seeded by `seed`. */
export async function umapLayout(features: Float32Array, count: number, dim: number, seed: number): Promise<Float32Array> {
  if (!(Number.isInteger(count) && count >= 2 && Number.isInteger(dim) && dim >= 1) || features.length !== count * dim) {
    throw new RangeError(`umapLayout: ${features.length} values for ${count} vectors of ${dim}; give at least 2 vectors and count × dim values`);
  }
  // Loaded only when a map is drawn: a training run without a report never needs it.
  const { UMAP } = await import('umap-js');
  const random = new Random(seed);
  const rows = Array.from({ length: count }, (_, i) => Array.from(features.subarray(i * dim, (i + 1) * dim)));
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(UMAP_NEIGHBOURS, count - 1), minDist: UMAP_MIN_DIST, random: () => random.next() });
  return Float32Array.from(umap.fit(rows).flat());
}
