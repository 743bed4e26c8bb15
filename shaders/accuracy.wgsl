// Predictions and a running count of correct ones. argmax takes the first maximum, as torch.argmax.

struct Params { batch: u32, classes: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> predictions: array<u32>;
@group(0) @binding(4) var<storage, read_write> correct: u32;

@compute @workgroup_size(WORKGROUP_SIZE)
fn argmax(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let n = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (n >= p.batch) { return; }
  var best = 0u;
  for (var c = 1u; c < p.classes; c++) {
    if (logits[n * p.classes + c] > logits[n * p.classes + best]) { best = c; }
  }
  predictions[n] = best;
}

// One invocation adds the batch's correct predictions to the total: a fixed order, no atomics.
@compute @workgroup_size(1)
fn count() {
  var hits = 0u;
  for (var n = 0u; n < p.batch; n++) { hits += select(0u, 1u, predictions[n] == labels[n]); }
  correct += hits;
}
