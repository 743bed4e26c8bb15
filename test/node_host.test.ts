// Adapter discovery in Node: engines asked for at the same time each get the adapter they named, and
// the one environment variable discovery sets is restored, even when searches overlap.
import { expect, test } from 'vitest';
import { createNodeEngine } from '../src/gpu/node_host';

test('two engines opened at once get their adapters, and VK_ICD_FILENAMES is as it was', async () => {
  const before = process.env.VK_ICD_FILENAMES;
  const engines = await Promise.all([createNodeEngine({ adapter: 'lavapipe' }), createNodeEngine({ adapter: 'swiftshader' })]);
  try {
    expect(engines.map((e) => e.adapter.label)).toEqual([expect.stringMatching(/llvmpipe/), expect.stringMatching(/swiftshader/i)]);
    expect(process.env.VK_ICD_FILENAMES).toBe(before);
  } finally {
    for (const engine of engines) engine.dispose();
  }
});
