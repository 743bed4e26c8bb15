// matmul.wgsl, the benchmark's ceiling kernel, against the float64 reference.
import { test } from 'vitest';
import { BufferGroup } from '../src/gpu/buffer_group';
import { Random } from '../src/random';
import { expectClose } from './support/compare';
import { poisoned, randomArray, testEngine } from './support/gpu';

test.each([
  [4, 4, 4],
  [8, 12, 20],
  [36, 4, 68],
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
    const stage = (await engine.kernels.get('matmul', 'main')).bind(memory, 'matmul', { a: bufA, b: bufB, c }, { m, n, k }).dispatch((m / 4) * (n / 4));
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
