// Dense layer: output[n, o] = bias[o] + Σ_i input[n, i] · weight[o, i] (PyTorch's nn.Linear layout),
// optionally followed by a fused activation, and its three gradients. Every gradient element is owned by one
// invocation, so results are deterministic; each sum runs over its reduction in order from 0, as
// conv2d_tiled.wgsl's (Linear's tiled variants) do.
// #include activation_functions.wgsl

struct Params { batch: u32, in_features: u32, out_features: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;
@group(0) @binding(5) var<storage, read> grad_output: array<f32>;
@group(0) @binding(6) var<storage, read_write> grad_input: array<f32>;
@group(0) @binding(7) var<storage, read_write> grad_weight: array<f32>;
@group(0) @binding(8) var<storage, read_write> grad_bias: array<f32>;
// Forward only: the activated values, when the activation keeps its own output (ACTIVATED_SEPARATELY).
@group(0) @binding(9) var<storage, read_write> activated: array<f32>;

fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.z * groups.x * WORKGROUP_SIZE;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.batch * p.out_features) { return; }
  let o = index % p.out_features;
  let n = index / p.out_features;
  // The bias is added last, as conv2d_tiled.wgsl's epilogue does, so both kernels take the same sums.
  var sum = 0.0;
  for (var i = 0u; i < p.in_features; i++) {
    sum += input[n * p.in_features + i] * weight[o * p.in_features + i];
  }
  let value = sum + bias[o];
  // The epilogue: a fused activation (activation_functions.wgsl) over the output or into `activated`.
  if (ACTIVATED_SEPARATELY) {
    output[index] = value;
    activated[index] = activate(value);
  } else {
    output[index] = activate(value);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn input_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.batch * p.in_features) { return; }
  let i = index % p.in_features;
  let n = index / p.in_features;
  var sum = 0.0;
  for (var o = 0u; o < p.out_features; o++) {
    sum += grad_output[n * p.out_features + o] * weight[o * p.in_features + i];
  }
  grad_input[index] = sum;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn weight_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.out_features * p.in_features) { return; }
  let i = index % p.in_features;
  let o = index / p.in_features;
  var sum = 0.0;
  for (var n = 0u; n < p.batch; n++) {
    sum += grad_output[n * p.out_features + o] * input[n * p.in_features + i];
  }
  grad_weight[index] = sum;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn bias_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let o = flat_index(gid, groups);
  if (o >= p.out_features) { return; }
  var sum = 0.0;
  for (var n = 0u; n < p.batch; n++) { sum += grad_output[n * p.out_features + o]; }
  grad_bias[o] = sum;
}
