// Dropout, as PyTorch's nn.Dropout: in training each element is zeroed with probability p and the
// survivors are scaled by 1/(1 − p); in evaluation the output is a copy of the input.
//
// The random numbers come from Philox-4x32-10 (Salmon et al., SC 2011; Random123's philox4x32), a
// counter-based generator: the draw for a counter is a pure function of (counter, key), so the
// backward pass recomputes the forward pass's mask instead of storing one, and no step needs a write
// from the host. Key: (seed, step) from the training clock, which is only ticked at the start of a
// step, so forward and backward see the same key. Counter: (element index / 4, the layer's stream, 0, 0);
// one draw gives the four words of four consecutive elements. The stream keeps two Dropout layers of the
// same size from dropping the same elements.

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

// The high word of a 32×32-bit product: WGSL has no 64-bit integers, so it is assembled from the four
// 16×16-bit partial products, each of which fits a u32.
fn mul_hi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lo_lo = a_lo * b_lo;
  let lo_hi = a_lo * b_hi;
  let hi_lo = a_hi * b_lo;
  // The carry out of the low word: at most 3 · (2¹⁶ − 1), so this sum cannot overflow.
  let carry = ((lo_lo >> 16u) + (lo_hi & 0xffffu) + (hi_lo & 0xffffu)) >> 16u;
  return a_hi * b_hi + (lo_hi >> 16u) + (hi_lo >> 16u) + carry;
}

fn philox4x32_10(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    if (round > 0u) { k += vec2u(0x9e3779b9u, 0xbb67ae85u); }
    let hi0 = mul_hi(0xd2511f53u, c.x);
    let lo0 = 0xd2511f53u * c.x;
    let hi1 = mul_hi(0xcd9e8d57u, c.z);
    let lo1 = 0xcd9e8d57u * c.z;
    c = vec4u(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
  }
  return c;
}

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
