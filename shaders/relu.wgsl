// ReLU, in place. Forward: x = max(x, 0). Backward: the gradient survives where the ReLU's output is
// positive (PyTorch's convention: the derivative at 0 is 0). Both passes need only the output, so the
// ReLU never owns a buffer of its own.

struct Params { count: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> values: array<f32>;
@group(0) @binding(2) var<storage, read> output: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (index >= p.count) { return; }
  values[index] = max(values[index], 0.0);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (index >= p.count) { return; }
  grad[index] = select(0.0, grad[index], output[index] > 0.0);
}
