// Times each stage of recorded work on the GPU: with timestamp queries where the adapter has them
// (one compute pass per stage), else by the wall clock around each stage's own submission.
import type { Engine } from './gpu/engine';
import type { Stage } from './gpu/kernel';

export interface StageTime {
  name: string;
  flops: number;
  /** Median over the repeats, in milliseconds. */
  ms: number;
}

export async function profileStages(engine: Engine, stages: readonly Stage[], repeats: number): Promise<{ times: StageTime[]; method: 'timestamp-query' | 'wall clock' }> {
  const samples = stages.map(() => [] as number[]);
  const device = engine.device;
  if (device.features.has('timestamp-query')) {
    const querySet = device.createQuerySet({ label: 'profile', type: 'timestamp', count: stages.length * 2 });
    const resolved = engine.createBuffer('profile timestamps', stages.length * 16, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
    try {
      for (let r = 0; r < repeats; r++) {
        const encoder = device.createCommandEncoder({ label: 'profile' });
        stages.forEach((stage, i) => {
          const pass = encoder.beginComputePass({ label: stage.name, timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
          stage.record(pass);
          pass.end();
        });
        encoder.resolveQuerySet(querySet, 0, stages.length * 2, resolved, 0);
        device.queue.submit([encoder.finish()]);
        const ticks = new BigUint64Array(await engine.read(resolved));
        stages.forEach((_, i) => samples[i].push(Number(ticks[2 * i + 1] - ticks[2 * i]) / 1e6));
      }
    } finally {
      querySet.destroy();
      engine.release(resolved);
    }
    return { times: summarize(stages, samples), method: 'timestamp-query' };
  }
  for (let r = 0; r < repeats; r++) {
    for (const [i, stage] of stages.entries()) {
      const encoder = device.createCommandEncoder({ label: stage.name });
      const pass = encoder.beginComputePass({ label: stage.name });
      stage.record(pass);
      pass.end();
      const started = performance.now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      samples[i].push(performance.now() - started);
    }
  }
  return { times: summarize(stages, samples), method: 'wall clock' };
}

function summarize(stages: readonly Stage[], samples: number[][]): StageTime[] {
  return stages.map((stage, i) => {
    const sorted = [...samples[i]].sort((a, b) => a - b);
    return { name: stage.name, flops: stage.flops, ms: sorted[Math.floor(sorted.length / 2)] };
  });
}
