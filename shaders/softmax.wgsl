// Softmax over the last dimension of [rows, features] (PyTorch's nn.Softmax(dim=1) on [N, C]); one
// invocation per row. The row maximum is subtracted before exp(), so large logits do not overflow.
// Backward: dx = y ⊙ (dy − Σ dy ⊙ y), from the output alone.

struct Params { rows: u32, features: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> grad_output: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_input: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let row = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (row >= p.rows) { return; }
  let start = row * p.features;
  var top = input[start];
  for (var j = 1u; j < p.features; j++) { top = max(top, input[start + j]); }
  var total = 0.0;
  for (var j = 0u; j < p.features; j++) {
    let e = exp(input[start + j] - top);
    output[start + j] = e;
    total += e;
  }
  let scale = 1.0 / total;
  for (var j = 0u; j < p.features; j++) { output[start + j] *= scale; }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let row = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (row >= p.rows) { return; }
  let start = row * p.features;
  var dot = 0.0;
  for (var j = 0u; j < p.features; j++) { dot += grad_output[start + j] * output[start + j]; }
  for (var j = 0u; j < p.features; j++) {
    grad_input[start + j] = output[start + j] * (grad_output[start + j] - dot);
  }
}
