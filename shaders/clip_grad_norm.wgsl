// Gradient clipping by global norm, torch.nn.utils.clip_grad_norm_'s semantics (norm_type 2):
// total_norm = sqrt(Σ g²) over every gradient element, clip_coef = max_norm / (total_norm + 1e-6), and
// every gradient multiplied by min(clip_coef, 1). Runs over the model's whole gradient buffer, whose gaps
// between tensors are never written and stay 0, so they add nothing to the norm.
// Deterministic (no atomics, a fixed order): square_sums gives each workgroup one chunk of the buffer and
// writes its sum; coefficient adds those sums in one workgroup; scale multiplies. Nothing is read back.

struct Params { count: u32, chunk: u32, partials: u32, max_norm: f32 }
struct Clip { total_norm: f32, scale: f32 }

override WORKGROUP_SIZE: u32 = 64;
const REDUCE: u32 = 64u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> partial_sums: array<f32>;
@group(0) @binding(3) var<storage, read_write> clip: Clip;

var<workgroup> lanes: array<f32, REDUCE>;

fn workgroup_sum(lid: u32, value: f32) -> f32 {
  lanes[lid] = value;
  workgroupBarrier();
  for (var half = REDUCE / 2u; half > 0u; half /= 2u) {
    if (lid < half) { lanes[lid] += lanes[lid + half]; }
    workgroupBarrier();
  }
  return lanes[0];
}

/** Workgroup group.y adds the squares of elements [group.y·chunk, (group.y + 1)·chunk). */
@compute @workgroup_size(REDUCE)
fn square_sums(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) group: vec3u) {
  let start = group.y * p.chunk;
  let end = min(start + p.chunk, p.count);
  var sum = 0.0;
  for (var i = start + local.x; i < end; i += REDUCE) { sum += grad[i] * grad[i]; }
  let total = workgroup_sum(local.x, sum);
  if (local.x == 0u) { partial_sums[group.y] = total; }
}

@compute @workgroup_size(REDUCE)
fn coefficient(@builtin(local_invocation_id) local: vec3u) {
  var sum = 0.0;
  for (var j = local.x; j < p.partials; j += REDUCE) { sum += partial_sums[j]; }
  let total = workgroup_sum(local.x, sum);
  if (local.x == 0u) {
    let norm = sqrt(total);
    clip.total_norm = norm;
    clip.scale = min(p.max_norm / (norm + 1e-6), 1.0);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn scale(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (i >= p.count) { return; }
  grad[i] *= clip.scale;
}
