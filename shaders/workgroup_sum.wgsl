// workgroup_sum for reductions that take one workgroup of REDUCE invocations (a power of two the includer
// defines) with workgroup memory alone: a fixed tree, halving the live range each step, so the order of
// the additions is the same every run on every adapter. Two sums at once (a vec2f) share the barriers.

var<workgroup> partial: array<vec2f, REDUCE>;

/** Σ value over the workgroup (lid: the local invocation index); every invocation gets the total. */
fn workgroup_sum(lid: u32, value: vec2f) -> vec2f {
  partial[lid] = value;
  workgroupBarrier();
  for (var half = REDUCE / 2u; half > 0u; half /= 2u) {
    if (lid < half) { partial[lid] += partial[lid + half]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}
