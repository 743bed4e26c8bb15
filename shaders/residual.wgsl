// The join of a residual connection, y = act(a + b), where b is the block's output and a is the input
// (identity) or the shortcut's output; act is a ReLU (RELU) or nothing. Backward: g = act'(y)·dy goes to
// both branches; the input's gradient is the sum of what comes back through the block and through the
// identity (g itself) or the shortcut. Element-wise, each element owned by one invocation.

struct Params { count: u32 }

override WORKGROUP_SIZE: u32 = 64;
override RELU: bool = true;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;
@group(0) @binding(4) var<storage, read> grad_output: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad_block: array<f32>;
@group(0) @binding(6) var<storage, read_write> grad_shortcut: array<f32>;
@group(0) @binding(7) var<storage, read> grad_block_input: array<f32>;
@group(0) @binding(8) var<storage, read> grad_shortcut_input: array<f32>;
@group(0) @binding(9) var<storage, read_write> grad_input: array<f32>;

fn element(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.z * groups.x * WORKGROUP_SIZE;
}

/** The gradient that reaches the sum: dy where the ReLU passed its input (PyTorch: derivative 0 at 0). */
fn through_activation(i: u32) -> f32 {
  return select(grad_output[i], select(0.0, grad_output[i], output[i] > 0.0), RELU);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element(gid, groups);
  if (i >= p.count) { return; }
  let y = a[i] + b[i];
  output[i] = select(y, max(y, 0.0), RELU);
}

/** Identity shortcut: only the block's branch needs its gradient written. */
@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_block(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element(gid, groups);
  if (i >= p.count) { return; }
  grad_block[i] = through_activation(i);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_both(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element(gid, groups);
  if (i >= p.count) { return; }
  let g = through_activation(i);
  grad_block[i] = g;
  grad_shortcut[i] = g;
}

/** The input's gradient with an identity shortcut: through the block, plus g again (recomputed, not stored). */
@compute @workgroup_size(WORKGROUP_SIZE)
fn merge_identity(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element(gid, groups);
  if (i >= p.count) { return; }
  grad_input[i] = grad_block_input[i] + through_activation(i);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn merge_shortcut(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element(gid, groups);
  if (i >= p.count) { return; }
  grad_input[i] = grad_block_input[i] + grad_shortcut_input[i];
}
