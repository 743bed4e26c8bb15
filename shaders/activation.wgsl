// An element-wise activation's own passes, forward and backward, one pipeline per function (ACTIVATION,
// from activation_functions.wgsl, which holds the functions and their derivatives). Not in place: the
// output goes to its own buffer and the backward pass reads the input (see activation_functions.wgsl
// for why Sigmoid and Tanh too). When the layer before applies the activation in its epilogue, only the
// backward pass runs here, reading the pre-activation that layer kept.
// #include activation_functions.wgsl

struct Params { count: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> grad_output: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_input: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (i >= p.count) { return; }
  output[i] = activate(input[i]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (i >= p.count) { return; }
  grad_input[i] = grad_output[i] * activation_derivative(input[i]);
}
