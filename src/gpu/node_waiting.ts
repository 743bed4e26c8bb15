// How the engine waits for the GPU in Node. Dawn's Node binding keeps its device ticking while any WebGPU
// promise is pending by queueing setImmediate after setImmediate: the event loop never sleeps, and the main
// thread spins at 60–75% of a core for as long as the GPU works (measured, docs/benchmarks.md). On a real
// GPU that is a core wasted; on lavapipe and SwiftShader, where the "GPU" is the CPU's other threads, it is
// a core taken from the work being waited for. So while the engine waits, every turn of the event loop
// also sleeps up to NAP_MS in Atomics.wait (the thread is parked, not spinning): Dawn still ticks once a
// turn, about a thousand times a second, and a finished wait is seen at most NAP_MS late.
import type { GpuWait } from './engine';

const NAP_MS = 1;

/** Waits in progress: the naps run while there is at least one. */
let waiting = 0;
let napping = false;
const cell = new Int32Array(new SharedArrayBuffer(4));

function nap(): void {
  if (waiting === 0) {
    napping = false;
    return;
  }
  Atomics.wait(cell, 0, 0, NAP_MS);
  setImmediate(nap);
}

/** Resolves as `work` does, with the event loop napping (not spinning) until then. */
export const napWhileWaiting: GpuWait = async <T>(work: Promise<T>): Promise<T> => {
  waiting++;
  if (!napping) {
    napping = true;
    setImmediate(nap);
  }
  try {
    return await work;
  } finally {
    waiting--;
  }
};
