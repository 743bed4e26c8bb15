// Adam with PyTorch's semantics (torch.optim.Adam): L2 weight decay added to the gradient,
// bias-corrected moments, eps added after the square root of the corrected second moment.
// With `decoupled`, torch.optim.AdamW: the weight decay shrinks the parameter (p ← p − lr·wd·p) before
// the update instead of entering the gradient. Runs over the whole contiguous parameter buffer in one dispatch.

struct Params { count: u32, beta1: f32, beta2: f32, eps: f32, decoupled: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> exp_avg: array<f32>;
@group(0) @binding(4) var<storage, read_write> exp_avg_sq: array<f32>;
// The step count and β^t live on the GPU, so a step needs no upload. β^t is kept as a running product:
// pow() is approximate on some adapters, and 1 − β^t magnifies its error when β is close to 1.
struct AdamState { step: u32, beta1_power: f32, beta2_power: f32 }
@group(0) @binding(5) var<storage, read_write> state: AdamState;
// This step's learning rate, from the schedule (shaders/schedule.wgsl).
@group(0) @binding(6) var<storage, read> rate: f32;
// Each element's weight decay (parameter groups), written once when the optimizer is bound.
@group(0) @binding(7) var<storage, read> weight_decay: array<f32>;

@compute @workgroup_size(1)
fn tick() {
  let first = state.step == 0u;
  state.step += 1u;
  state.beta1_power = select(state.beta1_power * p.beta1, p.beta1, first);
  state.beta2_power = select(state.beta2_power * p.beta2, p.beta2, first);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (i >= p.count) { return; }
  let decoupled = p.decoupled != 0u;
  let decay = weight_decay[i];
  let g = grad[i] + select(decay * param[i], 0.0, decoupled);
  let x = select(param[i], param[i] * (1.0 - rate * decay), decoupled);
  let m = p.beta1 * exp_avg[i] + (1.0 - p.beta1) * g;
  let v = p.beta2 * exp_avg_sq[i] + (1.0 - p.beta2) * g * g;
  exp_avg[i] = m;
  exp_avg_sq[i] = v;
  let bias_correction1 = 1.0 - state.beta1_power;
  let bias_correction2 = 1.0 - state.beta2_power;
  let denom = sqrt(v) / sqrt(bias_correction2) + p.eps;
  param[i] = x - (rate / bias_correction1) * m / denom;
}
