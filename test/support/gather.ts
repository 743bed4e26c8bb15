// Runs the batch gather (shaders/gather_batch.wgsl, through BatchStream) once on given samples, with a
// training clock of the caller's, into a poisoned batch: for the normalisation and augmentation tests.
import type { Augmentation } from '../../src/data/augment';
import { BatchStream } from '../../src/data/batches';
import { Dataset } from '../../src/data/dataset';
import type { Normalization } from '../../src/data/normalize';
import { BufferGroup } from '../../src/gpu/buffer_group';
import type { Engine } from '../../src/gpu/engine';
import { poisoned } from './gpu';

export interface GatherRun {
  samples: Uint8Array | Float32Array;
  shape: number[];
  batch: number;
  /** The sample order, and the position of the batch's first sample in it. */
  order: Uint32Array;
  start: number;
  normalize?: Normalization;
  augment?: Augmentation;
  clock?: { seed: number; step: number };
}

/** The batch's values as the GPU gathered them. */
export async function gatherBatch(engine: Engine, run: GatherRun): Promise<Float32Array> {
  const count = run.order.length;
  const dataset = Dataset.upload(engine, { samples: run.samples, labels: new Uint32Array(count), sampleShape: run.shape, normalize: run.normalize, name: 'gather test' });
  const memory = new BufferGroup(engine);
  try {
    const floats = run.batch * dataset.sampleSize;
    const values = await poisoned(memory, 'batch values', floats);
    const labels = memory.createBuffer('batch labels', run.batch * 4, GPUBufferUsage.STORAGE);
    const clock = memory.createBuffer('test clock', 16, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    engine.write(clock, 0, new Uint32Array([run.clock?.step ?? 1, run.clock?.seed ?? 0]));
    const stream = await BatchStream.create(memory, dataset, run.batch, values, labels);
    await stream.augment(run.augment, clock);
    stream.setOrder(run.order, run.start);
    const encoder = engine.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    stream.record(pass);
    pass.end();
    engine.device.queue.submit([encoder.finish()]);
    return new Float32Array(await engine.read(values, 0, floats * 4));
  } finally {
    memory.dispose();
    dataset.dispose();
  }
}
