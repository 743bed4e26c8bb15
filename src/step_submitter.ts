// Training steps go to the GPU in submission groups: k steps recorded into one compute pass of one
// command buffer, submitted once, under one validation error scope and with one completion promise, and
// at most SUBMISSIONS_IN_FLIGHT groups queued (backpressure). Every per-step value (the step count, the
// learning rate, Dropout's stream, the batch cursor) is read and advanced on the GPU, so k steps in one
// submission compute exactly what k submissions of one step do; the trainer cuts groups wherever the host
// must act between steps (a new epoch's order, a loss read, the end).
import type { Engine } from './gpu/engine';
import { ConfigError, KernelError } from './gpu/errors';
import type { Stage } from './gpu/kernel';

/** Steps per submission: a fixed count, or 'auto' (see StepSubmitter.nextGroupSize). */
export type StepsPerSubmit = number | 'auto';

/** Submitted groups that may wait on the GPU: one running and one queued keep it busy while the host records. */
export const SUBMISSIONS_IN_FLIGHT = 2;
/**
 * 'auto' groups enough steps for a submission to hold about this much training time: short enough that
 * an abort (a page's pause button), progress and errors come within about half a second, long enough to
 * spread a submission's host cost (measured in docs/benchmarks.md) over several steps where steps are short.
 */
const AUTO_TARGET_MS = 500;
/** …and never more steps than this, so an error or an abort is noticed within this many steps. */
export const AUTO_MAX_STEPS = 16;

export function checkStepsPerSubmit(where: string, value: unknown): StepsPerSubmit {
  if (value === 'auto' || (typeof value === 'number' && Number.isInteger(value) && value >= 1)) return value as StepsPerSubmit;
  throw new ConfigError(where, `stepsPerSubmit is ${String(value)}`, "stepsPerSubmit must be a positive integer or 'auto'.");
}

export class StepSubmitter {
  private inFlight: Array<Promise<void>> = [];
  /** When the last group finished, to measure the next one alone (ms, performance.now()). */
  private lastDone = -Infinity;
  /** Training time per step of the last finished group, in ms: what 'auto' sizes groups by. */
  private msPerStep: number | undefined;
  /** Steps whose group has finished on the GPU, since this submitter was made. */
  finishedSteps = 0;
  /** Host time spent recording and submitting, in seconds, since this submitter was made. */
  recordSeconds = 0;
  submissions = 0;

  constructor(private readonly engine: Engine) {}

  /**
   * The steps of the next group before the trainer cuts it: `choice` itself when it is a number; for
   * 'auto', enough steps for about AUTO_TARGET_MS of training at the pace of the last finished group
   * (one step until a group has finished), at most AUTO_MAX_STEPS: a few steps on software adapters,
   * where a step takes 0.1–1 s, AUTO_MAX_STEPS on a fast GPU.
   */
  nextGroupSize(choice: StepsPerSubmit): number {
    if (choice !== 'auto') return choice;
    if (this.msPerStep === undefined) return 1;
    return Math.max(1, Math.min(AUTO_MAX_STEPS, Math.round(AUTO_TARGET_MS / this.msPerStep)));
  }

  /**
   * Records `steps` repeats of `stages` into one compute pass and submits it. A WebGPU validation error in
   * any of them fails the whole group (nothing of it runs): it surfaces as a KernelError naming `label`
   * from `settle()` or `drain()`, that is once at most SUBMISSIONS_IN_FLIGHT later groups were submitted.
   */
  submit(label: string, steps: number, stages: readonly Stage[]): void {
    const device = this.engine.device;
    const started = performance.now();
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder({ label });
    const pass = encoder.beginComputePass({ label });
    for (let s = 0; s < steps; s++) for (const stage of stages) stage.record(pass);
    pass.end();
    device.queue.submit([encoder.finish()]);
    const rejected = device.popErrorScope();
    const submitted = performance.now();
    this.recordSeconds += (submitted - started) / 1000;
    this.submissions++;
    const done = this.engine.wait(Promise.all([rejected, device.queue.onSubmittedWorkDone()])).then(([error]) => {
      if (error) throw new KernelError(label, 'validation', error.message);
      const now = performance.now();
      // Measured from when it could start: after it was submitted and after the group before it finished.
      this.msPerStep = (now - Math.max(submitted, this.lastDone)) / steps;
      this.lastDone = now;
      this.finishedSteps += steps;
    });
    done.catch(() => {}); // awaited by settle or drain; this only keeps Node from reporting it early
    this.inFlight.push(done);
  }

  /** Waits while more than SUBMISSIONS_IN_FLIGHT groups are queued; throws the error of a failed group. */
  async settle(): Promise<void> {
    while (this.inFlight.length > SUBMISSIONS_IN_FLIGHT) await this.inFlight.shift();
  }

  /** Waits for every submitted group; throws the first failed group's error. */
  async drain(): Promise<void> {
    const groups = this.inFlight;
    this.inFlight = [];
    for (const done of groups) await done;
  }
}
