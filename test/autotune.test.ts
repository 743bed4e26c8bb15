// The autotuner: it times candidates on the device and keeps the faster, remembers the choice per adapter
// in its store, obeys pins, survives a broken store; and a model's convolutions go through it.
import { expect, test } from 'vitest';
import { Autotuner, candidates as lazy, fingerprint, type TuningStore } from '../src/gpu/autotune';
import { BufferGroup } from '../src/gpu/buffer_group';
import type { Stage } from '../src/gpu/kernel';
import { Adam, Dataset, referenceCnn } from '../src/index';
import { matmulStage } from '../src/matmul_ceiling';
import { testEngine } from './support/gpu';

function memoryStore(initial: Record<string, string> = {}): TuningStore & { saved: Record<string, string> } {
  const store = {
    saved: { ...initial },
    load: () => ({ ...store.saved }),
    save: (choices: Record<string, string>) => void (store.saved = { ...choices }),
  };
  return store;
}

/** A matmul of size³ as a stage: a candidate whose cost grows with size (tiled: one that has a sample of its grid). */
async function matmulOf(memory: BufferGroup, size: number, kernel = 'register-blocked'): Promise<Stage> {
  const [a, b, c] = ['A', 'B', 'C'].map((name) => memory.floats(`${name} ${size}`, size * size));
  return matmulStage(memory.engine, memory, kernel, { a, b, c }, size, size, size);
}

test('chooses the faster candidate, remembers it per adapter, and obeys pins', async () => {
  const engine = await testEngine();
  const memory = new BufferGroup(engine);
  try {
    // 64³ against 512³: 512× the arithmetic, far beyond any noise of a software adapter.
    const small = await matmulOf(memory, 64);
    const large = await matmulOf(memory, 512, 'tiled 64x64');
    expect(large.sample?.share).toBe(1 / 8);
    const candidates = lazy({ small: async () => [small], large: async () => [large] });
    const store = memoryStore();
    const tuner = new Autotuner(engine, 'adapter A', store);
    expect(await tuner.choose('matmul.test 1', candidates)).toBe('small');
    const [decision] = tuner.decisions();
    expect(decision).toMatchObject({ problem: 'matmul.test 1', chosen: 'small', remembered: false });
    expect(decision.tuning_ms).toBeGreaterThan(0);
    expect(decision.ms.small).toBeLessThan(decision.ms.large);
    // 512× the arithmetic is far past the pruning factor: timed once (in full, or an eighth of its grid
    // where that alone is long), then dropped.
    expect(decision.pruned).toEqual(['large']);
    expect(decision.skipped).toEqual([]);
    expect(store.saved).toEqual({ 'adapter A | matmul.test 1': 'small' });

    // A new tuner on the same store recalls the choice without timing; another adapter measures anew.
    const recalled = new Autotuner(engine, 'adapter A', memoryStore({ 'adapter A | matmul.test 1': 'large' }));
    expect(await recalled.choose('matmul.test 1', candidates)).toBe('large');
    expect(recalled.decisions()).toEqual([{ problem: 'matmul.test 1', chosen: 'large', ms: {}, pruned: [], skipped: [], tuning_ms: 0, build_ms: 0, remembered: true }]);
    const other = new Autotuner(engine, 'adapter B', memoryStore({ 'adapter A | matmul.test 1': 'large' }));
    expect(await other.choose('matmul.test 1', candidates)).toBe('small');

    // Pins win over measurement and memory; a pin to a variant that does not exist says which do.
    tuner.pin('matmul.test', 'large');
    expect(await tuner.choose('matmul.test 1', candidates)).toBe('large');
    tuner.pin('matmul.test', 'medium');
    await expect(tuner.choose('matmul.test 1', candidates)).rejects.toThrow('no variant "medium" for matmul.test 1; variants: small, large');
  } finally {
    memory.dispose();
  }
});

test('a pinned or remembered choice builds only its own candidate', async () => {
  const engine = await testEngine();
  const memory = new BufferGroup(engine);
  try {
    const built: string[] = [];
    const stage = await matmulOf(memory, 64);
    const builders = () => lazy(Object.fromEntries(['a', 'b', 'c'].map((name) => [name, async () => (built.push(name), [stage])])));
    const tuner = new Autotuner(engine, 'adapter A', memoryStore({ 'adapter A | matmul.test 3': 'b' }));
    const remembered = builders();
    expect(await tuner.choose('matmul.test 3', remembered)).toBe('b');
    expect(await remembered.b()).toBe(await remembered.b()); // built once, the same stages every call
    tuner.pin('matmul.test', 'c');
    const pinned = builders();
    expect(await tuner.choose('matmul.test 4', pinned)).toBe('c');
    await pinned.c();
    expect(built).toEqual(['b', 'c']);
  } finally {
    memory.dispose();
  }
});

test('a store that cannot be read or written costs a measurement, not a failure', async () => {
  const engine = await testEngine();
  const memory = new BufferGroup(engine);
  try {
    const broken: TuningStore = {
      load: () => {
        throw new Error('unreadable');
      },
      save: () => {
        throw new Error('read-only');
      },
    };
    const tuner = new Autotuner(engine, 'adapter A', broken);
    const [small, large] = [await matmulOf(memory, 64), await matmulOf(memory, 256)];
    expect(await tuner.choose('matmul.test 2', lazy({ small: async () => [small], large: async () => [large] }))).toBe('small');
  } finally {
    memory.dispose();
  }
});

test('past its budget a problem starts no new candidate, and says which it skipped', async () => {
  const engine = await testEngine();
  const memory = new BufferGroup(engine);
  try {
    const built: string[] = [];
    const [slow, fast] = [await matmulOf(memory, 256), await matmulOf(memory, 64)];
    const builders = () => lazy({ slow: async () => (built.push('slow'), [slow]), fast: async () => (built.push('fast'), [fast]) });
    // No budget: the first candidate is warmed up and tried (the layer needs a kernel), the next never built.
    const spent = new Autotuner(engine, 'adapter A', undefined, 0);
    expect(await spent.choose('matmul.test 6', builders())).toBe('slow');
    expect(spent.decisions()[0]).toMatchObject({ chosen: 'slow', skipped: ['fast'], pruned: [] });
    expect(Object.keys(spent.decisions()[0].ms)).toEqual(['slow']);
    expect(built).toEqual(['slow']);
    // The default budget tries both and keeps the faster.
    const ample = new Autotuner(engine, 'adapter A');
    expect(await ample.choose('matmul.test 6', builders())).toBe('fast');
    expect(ample.decisions()[0].skipped).toEqual([]);
  } finally {
    memory.dispose();
  }
});

test('layers of one shape built at the same time share one measurement and one choice', async () => {
  const engine = await testEngine();
  const memory = new BufferGroup(engine);
  try {
    const [a, b] = [await matmulOf(memory, 64), await matmulOf(memory, 64)];
    let builds = 0;
    const counted = (stage: Stage) => async () => (builds++, [stage]);
    const tuner = new Autotuner(engine, 'adapter A');
    // Two equal candidates: measured twice, either could win each time; measured once, both layers agree.
    const choices = await Promise.all([1, 2, 3].map(() => tuner.choose('matmul.test 5', lazy({ a: counted(a), b: counted(b) }))));
    expect(new Set(choices).size).toBe(1);
    expect(builds).toBe(2);
    expect(tuner.decisions().filter((d) => d.problem === 'matmul.test 5')).toHaveLength(1);
  } finally {
    memory.dispose();
  }
});

test('fingerprints differ for different shader text and are stable', () => {
  expect(fingerprint('fn a() {}')).toBe(fingerprint('fn a() {}'));
  expect(fingerprint('fn a() {}')).not.toBe(fingerprint('fn b() {}'));
  expect(fingerprint('')).toMatch(/^[0-9a-f]{8}$/);
});

test("a model's convolutions are tuned once per shape, and the choice is named", async () => {
  const engine = await testEngine();
  const before = engine.autotune.decisions().length;
  const images = new Uint8Array(4 * 784).map((_, i) => (i * 37) % 256);
  const data = Dataset.upload(engine, { samples: images, labels: new Uint8Array([1, 2, 3, 4]), sampleShape: [1, 28, 28], name: 'tiny' });
  const model = referenceCnn(engine, { seed: 1 });
  model.compile({ optimizer: new Adam() });
  try {
    await model.fit(data, { batchSize: 2, maxSteps: 2, logEvery: 1e9 });
    await model.fit(data, { batchSize: 2, maxSteps: 1, logEvery: 1e9 }); // the same plan: nothing new to tune
    const made = engine.autotune.decisions().slice(before).map((d) => d.problem);
    expect(made.filter((p) => p.startsWith('conv2d.forward 1x28x28 to 16'))).toHaveLength(1);
    expect(made.filter((p) => p.startsWith('conv2d.forward 16x14x14 to 32'))).toHaveLength(1);
    expect(made.filter((p) => p.startsWith('conv2d.weight_grad 1x28x28 to 16'))).toHaveLength(1);
    expect(made.filter((p) => p.startsWith('conv2d.weight_grad 16x14x14 to 32'))).toHaveLength(1);
    expect(made.filter((p) => p.startsWith('conv2d.')).every((p) => p.includes(`#${engine.kernels.fingerprint('conv2d')}`))).toBe(true);
    // The dense layers too, with linear.wgsl's fingerprint and the fused activation in the forward pass's name.
    expect(made.filter((p) => p.startsWith('linear.forward 1568 to 10 activation=none #'))).toHaveLength(1);
    expect(made.filter((p) => p.startsWith('linear.weight_grad 1568 to 10 #'))).toHaveLength(1);
    expect(made.filter((p) => p.startsWith('linear.')).every((p) => p.includes(`#${engine.kernels.fingerprint('linear')}`))).toBe(true);
  } finally {
    await model.dispose();
    data.dispose();
  }
});
