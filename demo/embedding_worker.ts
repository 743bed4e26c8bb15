// UMAP of the hidden features, off the main thread (it takes seconds). Posts the layout as it settles, so
// the map animates instead of appearing after a blank wait.
import { UMAP } from 'umap-js';

export interface EmbeddingRequest {
  features: Float32Array;
  count: number;
  dim: number;
}

export type EmbeddingUpdate = { points: Float32Array; fraction: number; done: boolean } | { error: string };

/** A fixed seed, so the same model always gives the same map. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UPDATES = 25;

onmessage = (event: MessageEvent<EmbeddingRequest>) => {
  const { features, count, dim } = event.data;
  try {
    const rows = Array.from({ length: count }, (_, i) => Array.from(features.subarray(i * dim, (i + 1) * dim)));
    const umap = new UMAP({ nComponents: 2, nNeighbors: 15, minDist: 0.1, random: mulberry32(7) });
    const epochs = umap.initializeFit(rows);
    const every = Math.max(1, Math.floor(epochs / UPDATES));
    for (let epoch = 0; epoch < epochs; epoch++) {
      umap.step();
      const done = epoch === epochs - 1;
      if (epoch % every === 0 || done) {
        const points = Float32Array.from(umap.getEmbedding().flat());
        postMessage({ points, fraction: (epoch + 1) / epochs, done } satisfies EmbeddingUpdate, { transfer: [points.buffer] });
      }
    }
  } catch (e) {
    postMessage({ error: (e as Error).message } satisfies EmbeddingUpdate);
  }
};
