// SGD with momentum, PyTorch's semantics (torch.optim.SGD): weight decay added to the gradient;
// the momentum buffer starts as the first gradient, then buf = μ·buf + (1 − dampening)·g;
// Nesterov uses g + μ·buf.

struct Params { count: u32, momentum: f32, dampening: f32, nesterov: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> momentum_buffer: array<f32>;
@group(0) @binding(4) var<storage, read_write> step: u32;
// This step's learning rate, from the schedule (shaders/schedule.wgsl).
@group(0) @binding(5) var<storage, read> rate: f32;
// Each element's weight decay (parameter groups), written once when the optimizer is bound.
@group(0) @binding(6) var<storage, read> weight_decay: array<f32>;

@compute @workgroup_size(1)
fn tick() {
  step += 1u;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (i >= p.count) { return; }
  var g = grad[i] + weight_decay[i] * param[i];
  if (p.momentum != 0.0) {
    var buf = g;
    if (step > 1u) { buf = p.momentum * momentum_buffer[i] + (1.0 - p.dampening) * g; }
    momentum_buffer[i] = buf;
    g = select(buf, g + p.momentum * buf, p.nesterov != 0u);
  }
  param[i] -= rate * g;
}
