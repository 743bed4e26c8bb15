// The training clock and the learning-rate schedule, advanced on the GPU so that a training step needs no
// write from the host (several steps may then be recorded in one submission with identical results).
// - tick: the model's step count, incremented at the start of every training step; per-step values
//   (Dropout's random stream, the learning rate) derive from it.
// - current_rate: the learning rate of this step, looked up in the run's table (computed by the host in
//   float64 for every step of the run when the run starts; exact on every adapter, unlike WGSL's cos()).

struct Clock { step: u32, seed: u32 }
struct Params { run_start: u32, steps: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> clock: Clock;
@group(0) @binding(2) var<storage, read> rates: array<f32>;
@group(0) @binding(3) var<storage, read_write> rate: f32;

@compute @workgroup_size(1)
fn tick() {
  clock.step += 1u;
}

@compute @workgroup_size(1)
fn current_rate() {
  // The run's k-th step (1-based) uses rates[k − 1]; a run never steps past its table.
  let k = clock.step - p.run_start;
  rate = rates[min(max(k, 1u), p.steps) - 1u];
}
