// Test helpers that run one piece of the engine on the GPU: a layer's forward and backward passes on
// given inputs, with every output poisoned (NaN) first so an element nobody wrote fails the comparison.
import { afterAll, beforeAll } from 'vitest';
import { BufferGroup } from '../../src/gpu/buffer_group';
import type { Engine } from '../../src/gpu/engine';
import { createNodeEngine } from '../../src/gpu/node_host';
import { NO_FUSION, type Activation, type Fusion, type Layer, type RecordedLayer } from '../../src/layers/layer';
import { fuse } from '../../src/plan';
import { Random } from '../../src/random';

let shared: Promise<Engine> | undefined;

/** One engine per test file (WEBGPU_ADAPTER picks the adapter), disposed after the file. */
export function testEngine(): Promise<Engine> {
  if (!shared) {
    shared = createNodeEngine();
    afterAll(async () => (await shared!).dispose());
  }
  return shared;
}

/** Pins every family in `families` to `variant` for the enclosing describe block (or file), and unpins after it. */
export function pinVariants(families: readonly string[], variant: string): void {
  beforeAll(async () => {
    const engine = await testEngine();
    for (const family of families) engine.autotune.pin(family, variant);
  });
  afterAll(async () => {
    const engine = await testEngine();
    for (const family of families) engine.autotune.pin(family, undefined);
  });
}

export function randomArray(random: Random, n: number, low = -1, high = 1): Float32Array {
  return Float32Array.from({ length: n }, () => random.uniform(low, high));
}

/** Values bounded away from 0, so a ReLU or mask never sits on its kink. */
export function awayFromZero(random: Random, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => (random.next() < 0.5 ? -1 : 1) * random.uniform(0.05, 1));
}


export async function poisoned(memory: BufferGroup, label: string, floats: number): Promise<GPUBuffer> {
  const buffer = memory.floats(label, floats);
  memory.engine.write(buffer, 0, new Float32Array(floats).fill(NaN));
  return buffer;
}

export interface LayerRun {
  /** The layer's output, or with `activation` the activation's. */
  output: Float32Array;
  /** With `activation`: the layer's own output, the pre-activation. */
  preActivation?: Float32Array;
  gradInput?: Float32Array;
  grads: Record<string, Float32Array>;
  /** The layer's buffers after the forward pass, as words (f32 bits, or an i64's two words). */
  buffers: Record<string, Uint32Array>;
}

/**
 * Runs `layer` forward (and backward, given `gradOutput`) on a batch, through its own build(); with
 * `activation`, that layer after it, fused as a model plans the two (fuse() from src/plan.ts).
 */
export async function runLayer(
  engine: Engine,
  layer: Layer,
  options: {
    batch: number; inputShape: number[]; input: Float32Array; params?: Record<string, Float32Array>; gradOutput?: Float32Array; fusion?: Partial<Fusion>;
    /** Buffers' starting words (default: their declared initial values); evaluation mode unless `training`. */
    buffers?: Record<string, Uint32Array>;
    training?: boolean;
    /** The training clock's step and seed (default step 1, seed 0). */
    clock?: { step: number; seed: number };
    /** The layer's label (default "test <kind>"), as the model would give it its name. */
    label?: string;
    /** An element-wise activation after the layer; `gradOutput` is then its output's gradient. */
    activation?: Layer;
  },
): Promise<LayerRun> {
  const memory = new BufferGroup(engine);
  try {
    const { batch, inputShape } = options;
    const outputShape = layer.outputShape(inputShape);
    const outFloats = batch * outputShape.reduce((a, b) => a * b, 1);
    const training = options.training ?? options.gradOutput !== undefined;
    const clock = memory.createBuffer('test clock', 16, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    engine.write(clock, 0, new Uint32Array([options.clock?.step ?? 1, options.clock?.seed ?? 0]));
    const inputBuffer = memory.floats('test input', options.input.length);
    engine.write(inputBuffer, 0, options.input);
    const input: Activation = { buffer: inputBuffer, shape: inputShape, grad: training ? await poisoned(memory, 'test input gradient', options.input.length) : undefined };
    const output: Activation = layer.inPlace
      ? { buffer: input.buffer, grad: input.grad, shape: outputShape }
      : { buffer: await poisoned(memory, 'test output', outFloats), grad: training ? await poisoned(memory, 'test output gradient', outFloats) : undefined, shape: outputShape };
    const params: Record<string, { buffer: GPUBuffer; offset: number; size: number }> = {};
    const grads: typeof params = {};
    const buffers: typeof params = {};
    for (const spec of layer.tensors(inputShape)) {
      if (spec.role === 'buffer') {
        const size = spec.shape.reduce((a, b) => a * b, 1) * (spec.dtype === 'i64' ? 2 : 1);
        let words = options.buffers?.[spec.name];
        if (!words) {
          const value = spec.init.kind === 'constant' ? spec.init.value : NaN;
          words = spec.dtype === 'i64' ? new Uint32Array(size).map((_, i) => (i % 2 ? 0 : value)) : new Uint32Array(new Float32Array(size).fill(value).buffer);
        }
        const buffer = memory.floats(`test ${spec.name}`, Math.max(size, 1));
        engine.write(buffer, 0, words);
        buffers[spec.name] = { buffer, offset: 0, size: size * 4 };
        continue;
      }
      const values = options.params?.[spec.name];
      if (!values) throw new Error(`test gives no "${spec.name}"`);
      const buffer = memory.floats(`test ${spec.name}`, values.length);
      engine.write(buffer, 0, values);
      params[spec.name] = { buffer, offset: 0, size: values.byteLength };
      grads[spec.name] = { buffer: await poisoned(memory, `test ${spec.name} gradient`, values.length), offset: 0, size: values.byteLength };
    }
    const chain = () => Promise.reject(new Error('runLayer builds one layer; test containers through Sequential'));
    const next = options.activation;
    const fusions = next ? fuse([layer, next]) : [{ ...NO_FUSION, ...options.fusion }];
    const activated: Activation | undefined = next && (next.inPlace
      ? output
      : { buffer: await poisoned(memory, 'test activation output', outFloats), grad: training ? await poisoned(memory, 'test activation output gradient', outFloats) : undefined, shape: outputShape });
    const last = activated ?? output;
    const fusion = fusions[0].activationAfter !== undefined && next && !next.inPlace ? { ...fusions[0], activated } : fusions[0];
    const layers: RecordedLayer[] = [await layer.build({
      engine, memory, label: options.label ?? `test ${layer.kind}`, batch, input, output, params, grads, buffers, training, clock, fusion, chain,
    })];
    if (next) {
      layers.push(await next.build({
        engine, memory, label: `test ${next.kind}`, batch, input: output, output: last, params: {}, grads: {}, buffers: {}, training, clock, fusion: fusions[1], chain,
      }));
    }
    let encoder = engine.device.createCommandEncoder();
    let pass = encoder.beginComputePass();
    for (const stage of layers.flatMap((l) => l.forward)) stage.record(pass);
    pass.end();
    await engine.checked('test forward', () => engine.device.queue.submit([encoder.finish()]));
    const result: LayerRun = { output: new Float32Array(await engine.read(last.buffer, 0, outFloats * 4)), grads: {}, buffers: {} };
    if (next) result.preActivation = new Float32Array(await engine.read(output.buffer, 0, outFloats * 4));
    for (const [name, slice] of Object.entries(buffers)) result.buffers[name] = new Uint32Array(await engine.read(slice.buffer, 0, slice.size));
    if (options.gradOutput !== undefined) {
      engine.write(last.grad!, 0, options.gradOutput!);
      encoder = engine.device.createCommandEncoder();
      pass = encoder.beginComputePass();
      for (const stage of [...layers].reverse().flatMap((l) => l.backward)) stage.record(pass);
      pass.end();
      await engine.checked('test backward', () => engine.device.queue.submit([encoder.finish()]));
      result.gradInput = new Float32Array(await engine.read(input.grad!, 0, options.input.length * 4));
      for (const [name, slice] of Object.entries(grads)) result.grads[name] = new Float32Array(await engine.read(slice.buffer, 0, slice.size));
    }
    return result;
  } finally {
    memory.dispose();
  }
}
