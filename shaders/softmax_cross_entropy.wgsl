// Softmax cross-entropy over a batch of logits [N, C] with integer labels, mean over the batch
// (PyTorch's nn.CrossEntropyLoss). Logits are shifted by their row maximum, so large logits do not
// overflow exp().

struct Params { batch: u32, classes: u32 }

// What the host may read back after a step: the last mean loss, how many losses were computed,
// and the first one that was not finite (0 while all were), so a NaN is never silent.
struct LossStats { loss: f32, evaluations: u32, first_nonfinite: u32, pad: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> sample_loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_logits: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: LossStats;

fn is_finite(x: f32) -> bool {
  // Tested on the bits: WGSL lets compilers assume floats are finite, so `x != x` may fold away and
  // max() or exp() may quietly turn a NaN into a number (SwiftShader's max does).
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// A quiet NaN, made at run time: a constant expression that evaluates to NaN is a shader-creation error.
fn nan() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}

// Per sample: loss_n = logsumexp(z_n) − z_n[label], and dL/dz_n = (softmax(z_n) − onehot) / N.
// A sample with a non-finite logit gets a NaN loss by construction, whatever the adapter's float rules.
@compute @workgroup_size(WORKGROUP_SIZE)
fn per_sample(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let n = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (n >= p.batch) { return; }
  let row = n * p.classes;
  var top = logits[row];
  var finite = true;
  for (var c = 0u; c < p.classes; c++) {
    top = max(top, logits[row + c]);
    finite = finite && is_finite(logits[row + c]);
  }
  var total = 0.0;
  for (var c = 0u; c < p.classes; c++) { total += exp(logits[row + c] - top); }
  let label = labels[n];
  sample_loss[n] = select(nan(), top + log(total) - logits[row + label], finite);
  let scale = 1.0 / (total * f32(p.batch));
  for (var c = 0u; c < p.classes; c++) {
    let onehot = select(0.0, 1.0 / f32(p.batch), c == label);
    grad_logits[row + c] = exp(logits[row + c] - top) * scale - onehot;
  }
}

// One invocation sums in a fixed order, so the loss is bit-for-bit repeatable.
@compute @workgroup_size(1)
fn mean() {
  var sum = 0.0;
  var finite = true;
  for (var n = 0u; n < p.batch; n++) {
    sum += sample_loss[n];
    finite = finite && is_finite(sample_loss[n]);
  }
  let loss = sum / f32(p.batch);
  finite = finite && is_finite(loss);
  stats.loss = select(nan(), loss, finite);
  stats.evaluations += 1u;
  if (!finite && stats.first_nonfinite == 0u) { stats.first_nonfinite = stats.evaluations; }
}
