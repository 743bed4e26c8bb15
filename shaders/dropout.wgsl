// Dropout, as PyTorch's nn.Dropout: in training each element is zeroed with probability p and the
// survivors are scaled by 1/(1 − p); in evaluation the output is a copy of the input.
//
// The random numbers come from Philox-4x32-10 (shaders/philox.wgsl), a counter-based generator: the
// draw for a counter is a pure function of (counter, key), so the backward pass recomputes the forward
// pass's mask instead of storing one, and no step needs a write from the host. Key: (seed, step) from
// the training clock, which is only ticked at the start of a step, so forward and backward see the same
// key. Counter: (element index / 4, the layer's stream, 0, 0); one draw gives the four words of four
// consecutive elements. The stream keeps two Dropout layers of the same size from dropping the same
// elements. (The batch gather's augmentation draws from counters whose third word is not 0.)

// #include philox.wgsl

struct Clock { step: u32, seed: u32 }
struct Params {
  count: u32,
  // An element survives when its draw r satisfies r ≥ threshold = round(p · 2³²) (exact, no float
  // comparison), except when drop_all (p = 1, whose threshold 2³² a u32 cannot hold).
  threshold: u32,
  drop_all: u32,
  stream: u32,
  scale: f32,
}

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> clock: Clock;
@group(0) @binding(2) var<storage, read> input: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;
@group(0) @binding(4) var<storage, read> grad_output: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad_input: array<f32>;

fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.z * groups.x * WORKGROUP_SIZE;
}

// Whether each of the four elements from 4·quad survives this step.
fn kept(quad: u32) -> vec4<bool> {
  let draw = philox4x32_10(vec4u(quad, p.stream, 0u, 0u), vec2u(clock.seed, clock.step));
  return (draw >= vec4u(p.threshold)) & vec4<bool>(p.drop_all == 0u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let quad = flat_index(gid, groups);
  if (quad * 4u >= p.count) { return; }
  let keep = kept(quad);
  for (var j = 0u; j < 4u; j++) {
    let i = quad * 4u + j;
    if (i < p.count) { output[i] = select(0.0, input[i] * p.scale, keep[j]); }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let quad = flat_index(gid, groups);
  if (quad * 4u >= p.count) { return; }
  let keep = kept(quad);
  for (var j = 0u; j < 4u; j++) {
    let i = quad * 4u + j;
    if (i < p.count) { grad_input[i] = select(0.0, grad_output[i] * p.scale, keep[j]); }
  }
}

// Evaluation: the identity. The output has a buffer of its own (see src/layers/dropout.ts), so it is copied.
@compute @workgroup_size(WORKGROUP_SIZE)
fn copy(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let quad = flat_index(gid, groups);
  for (var j = 0u; j < 4u; j++) {
    let i = quad * 4u + j;
    if (i < p.count) { output[i] = input[i]; }
  }
}
