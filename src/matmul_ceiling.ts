// The adapter's achievable compute rate, measured with a register-blocked matmul (shaders/matmul.wgsl):
// the yardstick the benchmark compares every training kernel against.
import { BufferGroup } from './gpu/buffer_group';
import type { Engine } from './gpu/engine';
import { Random } from './random';

export interface Ceiling {
  size: number;
  ms: number;
  gflops: number;
}

/** Median GFLOP/s of `repeats` size³ multiplications (size a multiple of 4), timed on the queue. */
export async function measureMatmulCeiling(engine: Engine, size = 1024, repeats = 3): Promise<Ceiling> {
  const memory = new BufferGroup(engine);
  try {
    const random = new Random(1);
    const values = () => Float32Array.from({ length: size * size }, () => random.uniform(-1, 1));
    const a = memory.floats('matmul A', size * size);
    const b = memory.floats('matmul B', size * size);
    const c = memory.floats('matmul C', size * size);
    engine.write(a, 0, values());
    engine.write(b, 0, values());
    const kernel = await engine.kernels.get('matmul', 'main');
    const stage = kernel.bind(memory, 'matmul ceiling', { a, b, c }, { m: size, n: size, k: size }).dispatch((size / 4) * (size / 4));
    const times: number[] = [];
    for (let r = 0; r <= repeats; r++) {
      const encoder = engine.device.createCommandEncoder({ label: 'matmul ceiling' });
      const pass = encoder.beginComputePass();
      stage.record(pass);
      pass.end();
      const started = performance.now();
      engine.device.queue.submit([encoder.finish()]);
      await engine.device.queue.onSubmittedWorkDone();
      if (r > 0) times.push(performance.now() - started); // the first run includes warm-up
    }
    const ms = times.sort((x, y) => x - y)[Math.floor(times.length / 2)];
    return { size, ms, gflops: (2 * size ** 3) / (ms / 1000) / 1e9 };
  } finally {
    memory.dispose();
  }
}
