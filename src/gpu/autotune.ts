// Per-adapter choice between kernel variants that compute the same thing. Which one is faster depends on
// the adapter (on CPU-emulated adapters even the cost of a load differs between lavapipe and SwiftShader),
// so the engine times each candidate on the device the first time a problem is met, keeps the fastest,
// and remembers it for this adapter and these shaders in a store that outlives the process.
import { profileStages } from '../profiler';
import type { Engine } from './engine';
import type { Stage } from './kernel';

export { fingerprint } from './shader_interface';

/** Where choices outlive the process: a file in Node, localStorage in a browser. */
export interface TuningStore {
  load(): Record<string, string>;
  save(choices: Record<string, string>): void;
}

/** One decision, for the benchmark's report. */
export interface TuningDecision {
  problem: string;
  chosen: string;
  /**
   * Milliseconds per run of each candidate (the fastest of its timed runs; for a candidate dropped after
   * its first trial, that trial's time); empty when remembered.
   */
  ms: Record<string, number>;
  /**
   * Candidates dropped after their first trial, slower than PRUNE_FACTOR × the fastest one (their time in
   * `ms` is that trial's, or a sample's scaled to the whole grid).
   */
  pruned: string[];
  /** Wall-clock milliseconds this decision cost: building (compiling) the candidates and timing them. */
  tuning_ms: number;
  /**
   * The part of tuning_ms spent building the candidates (creating their pipelines). An adapter that
   * compiles a pipeline at its first dispatch (lavapipe) pays that in the warm-up runs instead.
   */
  build_ms: number;
  remembered: boolean;
}

/**
 * Candidates, by variant name: each builds its stages (compiling its pipelines) on first call and returns
 * the same stages on every later one, so a pinned or remembered choice builds only itself.
 */
export type Candidates = Record<string, () => Promise<Stage[]>>;

/** `builders` as Candidates: each built at most once. */
export function candidates(builders: Record<string, () => Promise<Stage[]>>): Candidates {
  return Object.fromEntries(
    Object.entries(builders).map(([name, build]) => {
      let built: Promise<Stage[]> | undefined;
      return [name, () => (built ??= build())];
    }),
  );
}

/** Timed runs per candidate, interleaved across candidates so a burst of load spreads over all of them. */
const ROUNDS = 3;
/** Past this per run (a big batch on a software adapter), one timed run each: tuning stays a few seconds. */
const LONG_RUN_MS = 250;
/** A candidate whose first trial is this many times the fastest one's is not timed again. */
const PRUNE_FACTOR = 2;
/** Timed rounds stop once a problem's timing has taken this long (after the first round). */
const TIMING_BUDGET_MS = 1000;
/**
 * A candidate that can run a sample of its grid (Stage.sample) first runs that; if the sample, scaled to
 * the whole grid, predicts more than this many milliseconds and more than PRUNE_FACTOR × the fastest
 * full first trial so far, the candidate is dropped unrun. Fast adapters never get there (a cut grid may
 * under-fill a GPU, so a sample is trusted only to reject what is slow in absolute terms).
 */
const SAMPLE_REJECT_MS = 100;

export class Autotuner {
  private readonly choices: Record<string, string>;
  private readonly pins = new Map<string, string>();
  private readonly log: TuningDecision[] = [];
  /** Measurements run one at a time: layers are built concurrently, and two measurements sharing the
   *  queue would time each other's work. */
  private measuring: Promise<unknown> = Promise.resolve();
  /** Decisions being measured, by key: layers of one shape built at the same time share one decision,
   *  so every layer of a shape (in this model and the next) runs the same variant and sums in one order. */
  private readonly deciding = new Map<string, Promise<string>>();

  constructor(
    private readonly engine: Engine,
    /** Identifies the adapter and driver in the store's keys. */
    private readonly adapter: string,
    private readonly store?: TuningStore,
  ) {
    this.choices = store ? safeLoad(store) : {};
  }

  /**
   * Forces every problem of `family` (the part of a problem before the first space, e.g.
   * "conv2d.forward") to `variant`: for tests of each variant, and to compare variants by hand.
   */
  pin(family: string, variant: string | undefined): void {
    if (variant === undefined) this.pins.delete(family);
    else this.pins.set(family, variant);
  }

  /** The decisions made or recalled from the store so far, one per problem, in order. */
  decisions(): readonly TuningDecision[] {
    return this.log;
  }

  /**
   * The name of the fastest of `candidates` for `problem` ("family shape…", including a fingerprint of
   * the shaders involved so that changed kernels are measured again); its stages are
   * `candidates[name]()`. Each candidate's stages must be safe to run on the buffers they are bound to at
   * any time (they write only what a step overwrites). A pinned or remembered choice builds nothing else.
   */
  async choose(problem: string, candidates: Candidates): Promise<string> {
    const names = Object.keys(candidates);
    const pinned = this.pins.get(problem.split(' ')[0]);
    if (pinned !== undefined) {
      if (!names.includes(pinned)) throw new Error(`autotune: no variant "${pinned}" for ${problem}; variants: ${names.join(', ')}`);
      return pinned;
    }
    if (names.length === 1) return names[0];
    const key = `${this.adapter} | ${problem}`;
    const remembered = this.choices[key];
    if (remembered !== undefined && names.includes(remembered)) {
      if (!this.log.some((d) => d.problem === problem)) this.log.push({ problem, chosen: remembered, ms: {}, pruned: [], tuning_ms: 0, build_ms: 0, remembered: true });
      return remembered;
    }
    let decision = this.deciding.get(key);
    if (!decision) {
      decision = this.decide(key, problem, names, candidates);
      this.deciding.set(key, decision);
      decision.catch(() => this.deciding.delete(key));
    }
    return decision;
  }

  private async decide(key: string, problem: string, names: string[], candidates: Candidates): Promise<string> {
    const measured = this.measuring.then(() => this.measure(names.map((n) => candidates[n])));
    this.measuring = measured.catch(() => undefined);
    const { times, pruned, elapsed, built } = await measured;
    const ms: Record<string, number> = Object.fromEntries(names.map((n, i) => [n, times[i]]));
    const chosen = names.reduce((best, n) => (ms[n] < ms[best] ? n : best));
    this.choices[key] = chosen;
    this.log.push({ problem, chosen, ms, pruned: pruned.map((i) => names[i]), tuning_ms: elapsed, build_ms: built, remembered: false });
    if (this.store) safeSave(this.store, this.choices);
    return chosen;
  }

  /**
   * Each candidate's time. After a warm-up run, a first trial of every candidate drops the clearly slower
   * ones (a candidate with a sample of its grid may be dropped on the sample alone); the rest are timed
   * in interleaved rounds, each keeping its fastest run, until ROUNDS rounds or the time budget is spent.
   */
  private async measure(builders: Array<() => Promise<Stage[]>>): Promise<{ times: number[]; pruned: number[]; elapsed: number; built: number }> {
    const started = performance.now();
    const candidates = await Promise.all(builders.map((build) => build()));
    const built = performance.now() - started;
    const first: number[] = candidates.map(() => Infinity);
    const sampled = (i: number) => candidates[i].some((stage) => stage.sample);
    // Candidates without a sample first, so that a sampled one has a full trial to be compared with.
    const order = candidates.map((_, i) => i).sort((i, j) => Number(sampled(i)) - Number(sampled(j)));
    for (const i of order) {
      // A warm-up run first (its sample where it has one): a pipeline's first run may include compiling
      // it (lavapipe: seconds), which must neither count nor be scaled up from a sample.
      await this.time(candidates[i], sampled(i));
      if (sampled(i)) {
        const estimate = await this.time(candidates[i], true);
        if (estimate > SAMPLE_REJECT_MS && estimate > PRUNE_FACTOR * Math.min(...first)) {
          first[i] = estimate;
          continue;
        }
      }
      first[i] = await this.time(candidates[i]);
    }
    const fastest = Math.min(...first);
    const kept = first.map((_, i) => i).filter((i) => first[i] <= PRUNE_FACTOR * fastest);
    const pruned = first.map((_, i) => i).filter((i) => !kept.includes(i));
    const best = [...first];
    // The first trial counts as the first round.
    const rounds = Math.max(...kept.map((i) => first[i])) > LONG_RUN_MS ? 1 : ROUNDS;
    const timingStarted = performance.now();
    for (let round = 1; round < rounds && performance.now() - timingStarted < TIMING_BUDGET_MS; round++) {
      for (const i of kept) best[i] = Math.min(best[i], await this.time(candidates[i]));
    }
    return { times: best, pruned, elapsed: performance.now() - started, built };
  }

  /**
   * Milliseconds the stages take on the GPU (timestamp queries where the adapter has them); with
   * `sampled`, stages that have a sample run only that, and its time is scaled to the whole grid.
   */
  private async time(stages: Stage[], sampled = false): Promise<number> {
    const run = stages.map((stage) => (sampled && stage.sample ? { ...stage, record: stage.sample.record } : stage));
    const { times } = await profileStages(this.engine, run, 1);
    return times.reduce((sum, t, i) => sum + t.ms / (sampled ? (stages[i].sample?.share ?? 1) : 1), 0);
  }
}

// A store that cannot be read or written (a read-only home, private browsing) costs a re-measurement,
// never a failure.
function safeLoad(store: TuningStore): Record<string, string> {
  try {
    return store.load();
  } catch {
    return {};
  }
}

function safeSave(store: TuningStore, choices: Record<string, string>): void {
  try {
    store.save(choices);
  } catch {
    // see safeLoad
  }
}

/** The browser's store: one localStorage entry, when the page may use localStorage. */
export function localStorageStore(key = 'webgpu-cnn autotune'): TuningStore | undefined {
  const storage = (globalThis as { localStorage?: Storage }).localStorage;
  if (!storage) return undefined;
  return {
    load: () => JSON.parse(storage.getItem(key) ?? '{}') as Record<string, string>,
    save: (choices) => storage.setItem(key, JSON.stringify(choices)),
  };
}
