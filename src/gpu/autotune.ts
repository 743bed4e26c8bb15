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
  /** Milliseconds per run of each candidate (the fastest of the timed runs); empty when remembered. */
  ms: Record<string, number>;
  remembered: boolean;
}

/** Timed runs per candidate, interleaved across candidates so a burst of load spreads over all of them. */
const ROUNDS = 3;
/** Past this per run (a big batch on a software adapter), one timed run each: tuning stays a few seconds. */
const LONG_RUN_MS = 250;

export class Autotuner {
  private readonly choices: Record<string, string>;
  private readonly pins = new Map<string, string>();
  private readonly log: TuningDecision[] = [];
  /** Measurements run one at a time: layers are built concurrently, and two measurements sharing the
   *  queue would time each other's work. */
  private measuring: Promise<unknown> = Promise.resolve();

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
   * the shaders involved so that changed kernels are measured again). Each candidate's stages must be
   * safe to run on the buffers they are bound to at any time (they write only what a step overwrites).
   */
  async choose(problem: string, candidates: Record<string, Stage[]>): Promise<string> {
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
      if (!this.log.some((d) => d.problem === problem)) this.log.push({ problem, chosen: remembered, ms: {}, remembered: true });
      return remembered;
    }
    const measured = this.measuring.then(() => this.measure(names.map((n) => candidates[n])));
    this.measuring = measured.catch(() => undefined);
    const times = await measured;
    const ms: Record<string, number> = Object.fromEntries(names.map((n, i) => [n, times[i]]));
    const chosen = names.reduce((best, n) => (ms[n] < ms[best] ? n : best));
    this.choices[key] = chosen;
    this.log.push({ problem, chosen, ms, remembered: false });
    if (this.store) safeSave(this.store, this.choices);
    return chosen;
  }

  /** Each candidate's time: the fastest of its timed runs, interleaved across candidates. */
  private async measure(candidates: Stage[][]): Promise<number[]> {
    let slowest = 0;
    for (const stages of candidates) slowest = Math.max(slowest, await this.time(stages)); // warm-up: first runs may compile
    const best = candidates.map(() => Infinity);
    const rounds = slowest > LONG_RUN_MS ? 1 : ROUNDS;
    for (let round = 0; round < rounds; round++) {
      for (const [i, stages] of candidates.entries()) best[i] = Math.min(best[i], await this.time(stages));
    }
    return best;
  }

  /** Milliseconds the stages take on the GPU (timestamp queries where the adapter has them). */
  private async time(stages: Stage[]): Promise<number> {
    const { times } = await profileStages(this.engine, stages, 1);
    return times.reduce((sum, t) => sum + t.ms, 0);
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
