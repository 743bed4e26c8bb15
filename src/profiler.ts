// Times recorded work on the GPU: with timestamp queries where the adapter has them (one compute pass per
// timed piece), else by the wall clock around each piece's own submission.
import type { Engine } from './gpu/engine';
import type { Stage } from './gpu/kernel';

export interface StageTime {
  name: string;
  flops: number;
  /** Median over the repeats, in milliseconds. */
  ms: number;
}

export type TimingMethod = 'timestamp-query' | 'wall clock';

/** Each stage's time, each in a compute pass of its own. */
export async function profileStages(engine: Engine, stages: readonly Stage[], repeats: number): Promise<{ times: StageTime[]; method: TimingMethod }> {
  const { medians, method } = await timePasses(engine, stages.map((stage) => [stage]), repeats);
  return { times: stages.map((stage, i) => ({ name: stage.name, flops: stage.flops, ms: medians[i] })), method };
}

/** The time of all `stages` recorded into one compute pass, as a training step records them (median, ms). */
export async function profileWholeStep(engine: Engine, stages: readonly Stage[], repeats: number): Promise<{ ms: number; method: TimingMethod }> {
  const { medians, method } = await timePasses(engine, [stages], repeats);
  return { ms: medians[0], method };
}

/** The median time of each pass (a list of stages recorded into one compute pass), over `repeats` runs of all of them. */
async function timePasses(engine: Engine, passes: ReadonlyArray<readonly Stage[]>, repeats: number): Promise<{ medians: number[]; method: TimingMethod }> {
  const samples = passes.map(() => [] as number[]);
  const device = engine.device;
  const record = (encoder: GPUCommandEncoder, stages: readonly Stage[], pass: GPUComputePassDescriptor) => {
    const encoded = encoder.beginComputePass(pass);
    for (const stage of stages) stage.record(encoded);
    encoded.end();
  };
  const label = (stages: readonly Stage[]) => (stages.length === 1 ? stages[0].name : 'training step');
  if (device.features.has('timestamp-query')) {
    const querySet = device.createQuerySet({ label: 'profile', type: 'timestamp', count: passes.length * 2 });
    const resolved = engine.createBuffer('profile timestamps', passes.length * 16, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
    try {
      for (let r = 0; r < repeats; r++) {
        const encoder = device.createCommandEncoder({ label: 'profile' });
        passes.forEach((stages, i) => {
          record(encoder, stages, { label: label(stages), timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
        });
        encoder.resolveQuerySet(querySet, 0, passes.length * 2, resolved, 0);
        device.queue.submit([encoder.finish()]);
        const ticks = new BigUint64Array(await engine.read(resolved));
        passes.forEach((_, i) => samples[i].push(Number(ticks[2 * i + 1] - ticks[2 * i]) / 1e6));
      }
    } finally {
      querySet.destroy();
      engine.release(resolved);
    }
    return { medians: samples.map(median), method: 'timestamp-query' };
  }
  for (let r = 0; r < repeats; r++) {
    for (const [i, stages] of passes.entries()) {
      const encoder = device.createCommandEncoder({ label: label(stages) });
      record(encoder, stages, { label: label(stages) });
      const started = performance.now();
      device.queue.submit([encoder.finish()]);
      await engine.wait(device.queue.onSubmittedWorkDone());
      samples[i].push(performance.now() - started);
    }
  }
  return { medians: samples.map(median), method: 'wall clock' };
}

/** The middle value (the upper of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
