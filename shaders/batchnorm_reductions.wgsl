// BatchNorm2d's bindings and its reductions over a channel (batchnorm2d.wgsl explains the layer), shared by
// the kernels that sum with workgroup memory alone (batchnorm2d.wgsl) and those that sum within subgroups
// first (batchnorm2d_subgroups.wgsl). The includer supplies workgroup_sum (workgroup_sum.wgsl or
// subgroup_sum.wgsl): the sum over the workgroup's REDUCE invocations of one value each, in a fixed order.
// Reductions: one workgroup per channel; each invocation sums a fixed strided share, then workgroup_sum
// combines the shares, so the result is the same bit for bit every run (no atomics).

struct Params { batch: u32, channels: u32, plane: u32, eps: f32, momentum: f32 }

// The reductions' workgroup size: each invocation sums every REDUCE-th value of its channel.
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

/** Index of the j-th value (0 ≤ j < m) of channel c. */
fn at(c: u32, j: u32) -> u32 {
  return ((j / p.plane) * p.channels + c) * p.plane + j % p.plane;
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
  let mean = shift + workgroup_sum(lid, vec2f(sum, 0.0)).x / f32(m);
  var squares = 0.0;
  for (var j = lid; j < m; j += REDUCE) {
    let d = input[at(c, j)] - mean;
    squares += d * d;
  }
  return vec2f(mean, workgroup_sum(lid, vec2f(squares, 0.0)).x / f32(m));
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

/** Per channel: grad_bias = Σ dy, grad_weight = Σ dy·x̂ (x̂ = (x − mean)·invstd), summed together. */
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
  let sums = workgroup_sum(lid, vec2f(dy_sum, dy_xhat_sum));
  if (lid == 0u) {
    grad_bias[c] = sums.x;
    grad_weight[c] = sums.y;
  }
}
