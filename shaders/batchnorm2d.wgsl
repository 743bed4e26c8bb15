// BatchNorm2d, as PyTorch's nn.BatchNorm2d, on NCHW activations; per channel c over m = N·H·W values:
//   training:   mean, biased var = Σ(x − mean)²/m (two passes, never E[x²] − E[x]², which cancels for large
//               means); y = (x − mean)·invstd·weight + bias with invstd = 1/√(var + eps); the running
//               estimates move by momentum, the variance's by its unbiased value var·m/(m − 1);
//               num_batches_tracked (an i64, two u32 words) counts up by one.
//   evaluation: y = (x − running_mean)/√(running_var + eps)·weight + bias.
// Reductions: one workgroup per channel; each invocation sums a fixed strided share, then a fixed tree
// combines the shares, so the result is the same bit for bit every run (no atomics).
// A following activation may be applied in the normalisation (ACTIVATION), as PyTorch's conv-bn-relu blocks do.
// #include activation_functions.wgsl

struct Params { batch: u32, channels: u32, plane: u32, eps: f32, momentum: f32 }

override WORKGROUP_SIZE: u32 = 64;
const REDUCE: u32 = 64u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
// The batch's statistics, saved by the forward pass for the backward: mean[c], invstd[c].
@group(0) @binding(5) var<storage, read_write> saved_mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> saved_invstd: array<f32>;
@group(0) @binding(7) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(8) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(9) var<storage, read_write> num_batches_tracked: array<u32>;
@group(0) @binding(10) var<storage, read> grad_output: array<f32>;
@group(0) @binding(11) var<storage, read_write> grad_input: array<f32>;
@group(0) @binding(12) var<storage, read_write> grad_weight: array<f32>;
@group(0) @binding(13) var<storage, read_write> grad_bias: array<f32>;
// Normalisation only: the activated values, when the activation keeps its own output (ACTIVATED_SEPARATELY).
@group(0) @binding(14) var<storage, read_write> activated: array<f32>;

var<workgroup> partial: array<f32, REDUCE>;
var<workgroup> partial2: array<f32, REDUCE>;

/** Index of the j-th value (0 ≤ j < m) of channel c. */
fn at(c: u32, j: u32) -> u32 {
  return ((j / p.plane) * p.channels + c) * p.plane + j % p.plane;
}

/** Sums `partial` over the workgroup in a fixed tree; every invocation gets the total. */
fn reduce_sum(lid: u32) -> f32 {
  workgroupBarrier();
  for (var half = REDUCE / 2u; half > 0u; half /= 2u) {
    if (lid < half) { partial[lid] += partial[lid + half]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

/** Sums `partial` and `partial2` together in the same fixed tree. */
fn reduce_sum2(lid: u32) -> vec2f {
  workgroupBarrier();
  for (var half = REDUCE / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      partial[lid] += partial[lid + half];
      partial2[lid] += partial2[lid + half];
    }
    workgroupBarrier();
  }
  let total = vec2f(partial[0], partial2[0]);
  workgroupBarrier();
  return total;
}

/**
 * The channel's mean and biased variance, two passes. The first sums differences from the channel's first
 * value, so that partial sums stay small when the mean is large compared with the spread.
 */
fn batch_statistics(c: u32, lid: u32) -> vec2f {
  let m = p.batch * p.plane;
  let shift = input[at(c, 0u)];
  var sum = 0.0;
  for (var j = lid; j < m; j += REDUCE) { sum += input[at(c, j)] - shift; }
  partial[lid] = sum;
  let mean = shift + reduce_sum(lid) / f32(m);
  var squares = 0.0;
  for (var j = lid; j < m; j += REDUCE) {
    let d = input[at(c, j)] - mean;
    squares += d * d;
  }
  partial[lid] = squares;
  return vec2f(mean, reduce_sum(lid) / f32(m));
}

/** Training statistics without running estimates (track_running_stats=False), also used in evaluation then. */
@compute @workgroup_size(REDUCE)
fn statistics(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) group: vec3u) {
  let c = group.y;
  let s = batch_statistics(c, local.x);
  if (local.x == 0u) {
    saved_mean[c] = s.x;
    saved_invstd[c] = 1.0 / sqrt(s.y + p.eps);
  }
}

/** Training statistics, and the running estimates updated from them. */
@compute @workgroup_size(REDUCE)
fn statistics_tracked(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) group: vec3u) {
  let c = group.y;
  let s = batch_statistics(c, local.x);
  if (local.x == 0u) {
    let m = f32(p.batch * p.plane);
    saved_mean[c] = s.x;
    saved_invstd[c] = 1.0 / sqrt(s.y + p.eps);
    running_mean[c] = (1.0 - p.momentum) * running_mean[c] + p.momentum * s.x;
    running_var[c] = (1.0 - p.momentum) * running_var[c] + p.momentum * s.y * m / (m - 1.0);
    if (c == 0u) {
      // A 64-bit count in two little-endian words: the low word carries into the high one.
      let low = num_batches_tracked[0] + 1u;
      num_batches_tracked[0] = low;
      num_batches_tracked[1] += select(0u, 1u, low == 0u);
    }
  }
}

// The epilogue: a fused activation (activation_functions.wgsl) over the output or into `activated`.
fn finish(index: u32, y: f32) {
  if (ACTIVATED_SEPARATELY) {
    output[index] = y;
    activated[index] = activate(y);
  } else {
    output[index] = activate(y);
  }
}

/** y from the batch's statistics (training, or evaluation without running estimates). */
@compute @workgroup_size(WORKGROUP_SIZE)
fn normalize_batch(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (index >= p.batch * p.channels * p.plane) { return; }
  let c = (index / p.plane) % p.channels;
  finish(index, (input[index] - saved_mean[c]) * saved_invstd[c] * weight[c] + bias[c]);
}

/** y from the running estimates (evaluation). */
@compute @workgroup_size(WORKGROUP_SIZE)
fn normalize_running(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (index >= p.batch * p.channels * p.plane) { return; }
  let c = (index / p.plane) % p.channels;
  finish(index, (input[index] - running_mean[c]) / sqrt(running_var[c] + p.eps) * weight[c] + bias[c]);
}

/** Per channel: grad_bias = Σ dy, grad_weight = Σ dy·x̂ (x̂ = (x − mean)·invstd), in one fixed tree. */
@compute @workgroup_size(REDUCE)
fn backward_reduce(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) group: vec3u) {
  let c = group.y;
  let lid = local.x;
  let m = p.batch * p.plane;
  let mean = saved_mean[c];
  let invstd = saved_invstd[c];
  var dy_sum = 0.0;
  var dy_xhat_sum = 0.0;
  for (var j = lid; j < m; j += REDUCE) {
    let k = at(c, j);
    let dy = grad_output[k];
    dy_sum += dy;
    dy_xhat_sum += dy * (input[k] - mean) * invstd;
  }
  partial[lid] = dy_sum;
  partial2[lid] = dy_xhat_sum;
  let sums = reduce_sum2(lid);
  if (lid == 0u) {
    grad_bias[c] = sums.x;
    grad_weight[c] = sums.y;
  }
}

/** dx = weight·invstd/m · (m·dy − Σdy − x̂·Σdy·x̂), with the sums that backward_reduce left in the gradients. */
@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_input(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (index >= p.batch * p.channels * p.plane) { return; }
  let c = (index / p.plane) % p.channels;
  let m = f32(p.batch * p.plane);
  let invstd = saved_invstd[c];
  let xhat = (input[index] - saved_mean[c]) * invstd;
  grad_input[index] = weight[c] * invstd / m * (m * grad_output[index] - grad_bias[c] - xhat * grad_weight[c]);
}
