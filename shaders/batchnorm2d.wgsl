// BatchNorm2d, as PyTorch's nn.BatchNorm2d, on NCHW activations; per channel c over m = N·H·W values:
//   training:   mean, biased var = Σ(x − mean)²/m (two passes, never E[x²] − E[x]², which cancels for large
//               means); y = (x − mean)·invstd·weight + bias with invstd = 1/√(var + eps); the running
//               estimates move by momentum, the variance's by its unbiased value var·m/(m − 1);
//               num_batches_tracked (an i64, two u32 words) counts up by one.
//   evaluation: y = (x − running_mean)/√(running_var + eps)·weight + bias.
// The bindings and the reductions (statistics, and the sums of the backward pass) are in
// batchnorm_reductions.wgsl, here with a workgroup-memory tree; batchnorm2d_subgroups.wgsl sums within
// subgroups first, where the adapter has them.
// A following activation may be applied in the normalisation (ACTIVATION), as PyTorch's conv-bn-relu blocks do.
// #include batchnorm_reductions.wgsl
// #include workgroup_sum.wgsl
// #include activation_functions.wgsl

override WORKGROUP_SIZE: u32 = 64;

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
