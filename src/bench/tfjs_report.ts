// What the benchmark page (bench/, in Chromium) is asked for and hands back about TensorFlow.js: the
// contract with src/cli/bench_browser.ts (in Node). Plain data, so it crosses page.evaluate and lands
// in --json as it is.

/** TensorFlow.js's backends measured beside the engine, in the order of the table. */
export const TFJS_BACKENDS = ['webgpu', 'webgl', 'cpu'] as const;
export type TfjsBackend = (typeof TFJS_BACKENDS)[number];

export interface TfjsBenchOptions {
  /** Timed training steps after the first step and one warm-up step. */
  steps: number;
  batchSize: number;
  /** Test images predicted (batch 500). */
  evalImages: number;
}

export interface TfjsReport {
  backend: TfjsBackend;
  available: true;
  /** What runs TF.js's kernels: the WebGPU adapter, the WebGL renderer, or the CPU. */
  adapter: string;
  tfjs_version: string;
  parameters: number;
  batch_size: number;
  steps: number;
  first_step_seconds: number;
  train_samples_per_s: number;
  final_loss: number;
  eval_images: number;
  eval_images_per_s: number;
}

/** A measurement that could not run (a backend that does not start here, a page that failed), and why. */
export interface Unavailable {
  available: false;
  reason: string;
}
