// The adapter's achievable compute rate: the fastest of this engine's matmul kernels on it (the
// barrier-free register-blocked one, shaders/matmul.wgsl, and tiled ones through workgroup memory,
// shaders/matmul_tiled.wgsl), so that "% of ceiling" compares every training kernel against the best
// this engine can do on that adapter, whichever kind of adapter it is.
import { BufferGroup } from './gpu/buffer_group';
import type { Engine } from './gpu/engine';
import { gridFor, type Stage } from './gpu/kernel';
import { median } from './profiler';
import { Random } from './random';

export interface Ceiling {
  size: number;
  ms: number;
  gflops: number;
  /** The matmul kernel that set it. */
  kernel: string;
  /** GFLOP/s of every kernel measured (the first round's medians). */
  kernels: Record<string, number>;
  /** Runs of the fastest kernel the ceiling is the median of, and their lowest and highest GFLOP/s. */
  runs: number;
  range: [number, number];
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

/** One run of `stage` on an otherwise idle queue, in milliseconds of wall time. */
async function timeRun(engine: Engine, stage: Stage): Promise<number> {
  const encoder = engine.device.createCommandEncoder({ label: 'matmul ceiling' });
  const pass = encoder.beginComputePass();
  stage.record(pass);
  pass.end();
  const started = performance.now();
  engine.device.queue.submit([encoder.finish()]);
  await engine.wait(engine.device.queue.onSubmittedWorkDone());
  return performance.now() - started;
}

/**
 * The adapter's ceiling through a whole measurement: every kernel timed first (`repeats` runs each after
 * a warm-up, size³ multiplications, size a multiple of 64), then the fastest one run again at each
 * `sample()`, called between the measurements it is compared with. On a software adapter the rate moves
 * 2–3× with the machine's load, so a ceiling taken at one moment and a training rate taken at another
 * can be far apart; the median over runs spread through the same minutes is the figure to divide by.
 */
export class CeilingSampler {
  private constructor(
    private readonly engine: Engine,
    private readonly memory: BufferGroup,
    private readonly size: number,
    private readonly kernel: string,
    private readonly stage: Stage,
    /** The first round's median GFLOP/s of every kernel. */
    private readonly kernels: Record<string, number>,
    /** The fastest kernel's runs, in ms. */
    private readonly runs: number[],
  ) {}

  static async create(engine: Engine, size = 1024, repeats = 3): Promise<CeilingSampler> {
    const memory = new BufferGroup(engine);
    try {
      const random = new Random(1);
      const values = () => Float32Array.from({ length: size * size }, () => random.uniform(-1, 1));
      const a = memory.floats('matmul A', size * size);
      const b = memory.floats('matmul B', size * size);
      const c = memory.floats('matmul C', size * size);
      engine.write(a, 0, values());
      engine.write(b, 0, values());
      const stages: Record<string, Stage> = {};
      const runs: Record<string, number[]> = {};
      for (const name of MATMUL_KERNELS) {
        stages[name] = await matmulStage(engine, memory, name, { a, b, c }, size, size, size);
        await timeRun(engine, stages[name]); // warm-up (pipeline compilation, on some adapters)
        runs[name] = [];
        for (let r = 0; r < repeats; r++) runs[name].push(await timeRun(engine, stages[name]));
      }
      const kernel = MATMUL_KERNELS.reduce((best, name) => (median(runs[name]) < median(runs[best]) ? name : best));
      const kernels = Object.fromEntries(MATMUL_KERNELS.map((name) => [name, gflopsOf(size, median(runs[name]))]));
      return new CeilingSampler(engine, memory, size, kernel, stages[kernel], kernels, runs[kernel]);
    } catch (e) {
      memory.dispose();
      throw e;
    }
  }

  /** Runs the fastest kernel once more. */
  async sample(): Promise<void> {
    this.runs.push(await timeRun(this.engine, this.stage));
  }

  /** The ceiling: the median of the fastest kernel's runs so far, and their range. */
  result(): Ceiling {
    const ms = median(this.runs);
    const rates = this.runs.map((run) => gflopsOf(this.size, run));
    return {
      size: this.size, ms, gflops: gflopsOf(this.size, ms), kernel: this.kernel, kernels: this.kernels,
      runs: this.runs.length, range: [Math.min(...rates), Math.max(...rates)],
    };
  }

  dispose(): void {
    this.memory.dispose();
  }
}

function gflopsOf(size: number, ms: number): number {
  return (2 * size ** 3) / (ms / 1000) / 1e9;
}
