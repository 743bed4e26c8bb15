// Swish (SiLU): y = x·σ(x); dy/dx = σ(x)·(1 + x·(1 − σ(x))). Element-wise; the backward reads the input.

struct Params { count: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> grad_output: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_input: array<f32>;

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (i >= p.count) { return; }
  output[i] = input[i] * sigmoid(input[i]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (i >= p.count) { return; }
  let s = sigmoid(input[i]);
  grad_input[i] = grad_output[i] * s * (1.0 + input[i] * (1.0 - s));
}
