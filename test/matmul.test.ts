// The matmul kernels the benchmark's ceiling chooses from (matmul.wgsl and matmul_tiled.wgsl), each against the float64 reference.
import { describe, test } from 'vitest';
import { BufferGroup } from '../src/gpu/buffer_group';
import { MATMUL_KERNELS, matmulStage } from '../src/matmul_ceiling';
import { Random } from '../src/random';
import { expectClose } from './support/compare';
import { poisoned, randomArray, testEngine } from './support/gpu';

// Sizes that fill no 32 × 32 or 64 × 64 tile and reductions that end mid-step of 16, and one that fills tiles exactly.
describe.each(MATMUL_KERNELS)('%s', (kernel) => {
  test.each([
    [4, 4, 4],
    [8, 12, 20],
    [36, 4, 68],
    [68, 100, 36],
    [64, 256, 32],
  ])('C[%i×%i] = A · B with k = %i', async (m, n, k) => {
    const engine = await testEngine();
    const random = new Random(m * n * k);
    const memory = new BufferGroup(engine);
    try {
      const a = randomArray(random, m * k);
      const b = randomArray(random, k * n);
      const bufA = memory.floats('A', a.length);
      const bufB = memory.floats('B', b.length);
      engine.write(bufA, 0, a);
      engine.write(bufB, 0, b);
      const c = await poisoned(memory, 'C', m * n);
      const stage = await matmulStage(engine, memory, kernel, { a: bufA, b: bufB, c }, m, n, k);
      const encoder = engine.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      stage.record(pass);
      pass.end();
      engine.device.queue.submit([encoder.finish()]);
      const got = new Float32Array(await engine.read(c, 0, m * n * 4));
      const ref = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let t = 0; t < k; t++) ref[i * n + j] += a[i * k + t] * b[t * n + j];
      expectClose('C', got, ref);
    } finally {
      memory.dispose();
    }
  });
});
