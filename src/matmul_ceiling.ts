// The adapter's achievable compute rate: the fastest of this engine's matmul kernels on it (the
// barrier-free register-blocked one, shaders/matmul.wgsl, and tiled ones through workgroup memory,
// shaders/matmul_tiled.wgsl), so that "% of ceiling" compares every training kernel against the best
// this engine can do on that adapter, whichever kind of adapter it is.
import { BufferGroup } from './gpu/buffer_group';
import type { Engine } from './gpu/engine';
import { gridFor, type Stage } from './gpu/kernel';
import { Random } from './random';

export interface Ceiling {
  size: number;
  ms: number;
  gflops: number;
  /** The matmul kernel that set it. */
  kernel: string;
  /** GFLOP/s of every kernel measured. */
  kernels: Record<string, number>;
}

/** matmul.wgsl's grid: one invocation per 4 × 4 block, past 65535 workgroups folded into z. */
function foldedGroups(threads: number, workgroupSize: number): [number, number, number] {
  const [x, z] = gridFor(threads, workgroupSize);
  return [x, 1, z];
}

/** The matmul kernels, by name: shader file, constants, and the workgroups for an m × n product. */
const MATMULS: Record<string, { file: string; constants: Record<string, number>; groups(m: number, n: number): [number, number, number] }> = {
  'register-blocked': { file: 'matmul', constants: {}, groups: (m, n) => foldedGroups((m / 4) * (n / 4), 64) },
  'tiled 32x32': { file: 'matmul_tiled', constants: { WG_M: 8, WG_N: 8, TILE_K: 16 }, groups: (m, n) => [Math.ceil(n / 32), Math.ceil(m / 32), 1] },
  'tiled 64x64': { file: 'matmul_tiled', constants: { WG_M: 16, WG_N: 16, TILE_K: 16 }, groups: (m, n) => [Math.ceil(n / 64), Math.ceil(m / 64), 1] },
};

export const MATMUL_KERNELS = Object.keys(MATMULS);

/** C = A · B (row-major, m, n, k multiples of 4) with the named kernel, as a stage. */
export async function matmulStage(engine: Engine, memory: BufferGroup, kernel: string, buffers: { a: GPUBuffer; b: GPUBuffer; c: GPUBuffer }, m: number, n: number, k: number): Promise<Stage> {
  const spec = MATMULS[kernel];
  const compiled = await engine.kernels.get(spec.file, 'main', spec.constants);
  return compiled.bind(memory, `matmul ${kernel}`, buffers, { m, n, k }).dispatchGroups(...spec.groups(m, n), 2 * m * n * k);
}

/** The best kernel's median GFLOP/s over `repeats` size³ multiplications (size a multiple of 64), timed on the queue. */
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
    const medians: Record<string, number> = {};
    for (const name of MATMUL_KERNELS) {
      const stage = await matmulStage(engine, memory, name, { a, b, c }, size, size, size);
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
      medians[name] = times.sort((x, y) => x - y)[Math.floor(times.length / 2)];
    }
    const kernel = MATMUL_KERNELS.reduce((best, name) => (medians[name] < medians[best] ? name : best));
    const gflops = (ms: number) => (2 * size ** 3) / (ms / 1000) / 1e9;
    return { size, ms: medians[kernel], gflops: gflops(medians[kernel]), kernel, kernels: Object.fromEntries(MATMUL_KERNELS.map((n) => [n, gflops(medians[n])])) };
  } finally {
    memory.dispose();
  }
}
