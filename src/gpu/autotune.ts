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
  /**
   * Candidates never run: the problem's tuning budget (TUNING_BUDGET_MS past the first candidate's warm-up)
   * was spent before their turn. They have no time in `ms`.
   */
  skipped: string[];
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
/**
 * A problem's tuning starts no new candidate, and no new round of timing, once this much time has gone
 * past the first candidate's warm-up (which compiles the kernel the layer would run anyway; lavapipe
 * compiles a pipeline at its first dispatch, seconds on a busy machine). Candidates come in their
 * builder's order, cheapest to try first, so an adapter that compiles slowly tries fewer of the last ones.
 */
export const TUNING_BUDGET_MS = 2000;
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
    /** Milliseconds per problem past the first candidate's warm-up (tests shrink it). */
    private readonly budgetMs = TUNING_BUDGET_MS,
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
      if (!this.log.some((d) => d.problem === problem)) this.log.push({ problem, chosen: remembered, ms: {}, pruned: [], skipped: [], tuning_ms: 0, build_ms: 0, remembered: true });
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
    const tried = names.filter((_, i) => times[i] !== undefined);
    const ms: Record<string, number> = Object.fromEntries(tried.map((n) => [n, times[names.indexOf(n)]!]));
    const chosen = tried.reduce((best, n) => (ms[n] < ms[best] ? n : best));
    this.choices[key] = chosen;
    const skipped = names.filter((n) => !tried.includes(n));
    this.log.push({ problem, chosen, ms, pruned: pruned.map((i) => names[i]), skipped, tuning_ms: elapsed, build_ms: built, remembered: false });
    if (this.store) safeSave(this.store, this.choices);
    return chosen;
  }

  /**
   * Each candidate's time (undefined: skipped). Candidates are built and warmed up one after another;
   * a first trial of each drops the clearly slower ones (a candidate with a sample of its grid may be
   * dropped on the sample alone); the rest are timed in interleaved rounds, each keeping its fastest run,
   * until ROUNDS rounds. Past the budget no new candidate or round starts.
   */
  private async measure(builders: Array<() => Promise<Stage[]>>): Promise<{ times: Array<number | undefined>; pruned: number[]; elapsed: number; built: number }> {
    const started = performance.now();
    let built = 0;
    /** Set once the first candidate has warmed up: the budget counts from there. */
    let budgetStart: number | undefined;
    const spent = () => (budgetStart === undefined ? 0 : performance.now() - budgetStart);
    const stages: Array<Stage[] | undefined> = builders.map(() => undefined);
    const first: Array<number | undefined> = builders.map(() => undefined);
    const fastest = () => Math.min(...first.filter((t): t is number => t !== undefined));
    for (const i of builders.keys()) {
      if (spent() > this.budgetMs) break;
      const building = performance.now();
      const candidate = (stages[i] = await builders[i]());
      built += performance.now() - building;
      const sampled = candidate.some((stage) => stage.sample);
      // A warm-up run first (its sample where it has one): a pipeline's first run may include compiling
      // it (lavapipe: seconds), which must neither count nor be scaled up from a sample.
      await this.time(candidate, sampled);
      budgetStart ??= performance.now();
      // A sample is trusted only against a full trial of another candidate, and only to reject.
      if (sampled && first.some((t) => t !== undefined)) {
        const estimate = await this.time(candidate, true);
        if (estimate > SAMPLE_REJECT_MS && estimate > PRUNE_FACTOR * fastest()) {
          first[i] = estimate;
          continue;
        }
      }
      first[i] = await this.time(candidate);
    }
    const tried = [...builders.keys()].filter((i) => first[i] !== undefined);
    const kept = tried.filter((i) => first[i]! <= PRUNE_FACTOR * fastest());
    const pruned = tried.filter((i) => !kept.includes(i));
    const best = [...first];
    // The first trial counts as the first round.
    const rounds = Math.max(...kept.map((i) => first[i]!)) > LONG_RUN_MS ? 1 : ROUNDS;
    for (let round = 1; round < rounds && spent() <= this.budgetMs; round++) {
      for (const i of kept) best[i] = Math.min(best[i]!, await this.time(stages[i]!));
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
