// workgroup_sum with subgroup operations, for adapters with the `subgroups` feature (the includer starts
// with `enable subgroups;` and defines REDUCE, its workgroup size, a power of two). Fewer barriers and less
// workgroup memory than workgroup_sum.wgsl's tree: one exchange through workgroup memory instead of
// log2(REDUCE) steps.
//
// Deterministic: subgroupAdd's order is the implementation's, so it is not used on floats. Instead
//   1. each subgroup sums its lanes in a butterfly with fixed offsets (16, 8, 4, 2, 1 for 32 lanes): at
//      every step lane i adds lane i^offset's value, and since a + b = b + a bit for bit in IEEE
//      arithmetic, all lanes hold the same bits after each step;
//   2. each subgroup's first lane leaves that total at its own slot of REDUCE, every other lane a zero
//      (adding zeros is exact);
//   3. every subgroup then reads the REDUCE slots in a fixed order (lane l sums slots l, l + size, …)
//      and sums them in the same butterfly.
// The result depends only on the subgroup size and which invocations form a subgroup, both fixed for an
// adapter and a pipeline: it is the same bit for bit run to run on one adapter, and agrees with the tree
// of workgroup_sum.wgsl to f32 rounding (the additions are grouped differently).

var<workgroup> subgroup_totals: array<vec2f, REDUCE>;

/** Σ value over the subgroup's `size` lanes in the fixed butterfly; every lane gets the same bits. */
fn subgroup_butterfly(value: vec2f, size: u32) -> vec2f {
  var sum = value;
  // Constant offsets keep the shuffles in uniform control flow; past the subgroup's size a shuffle's
  // value is indeterminate and is not added.
  for (var offset = 64u; offset > 0u; offset /= 2u) {
    let other = subgroupShuffleXor(sum, offset);
    sum = select(sum, sum + other, offset < size);
  }
  return sum;
}

/** Σ value over the workgroup (lid: the local invocation index); every invocation gets the total. */
fn workgroup_sum(lid: u32, value: vec2f) -> vec2f {
  // The lane's index and the subgroup's live lanes (its size, or REDUCE when the subgroup is wider than
  // the workgroup), from integer sums, which are exact.
  let lane = subgroupExclusiveAdd(1u);
  let size = subgroupAdd(1u);
  let total = subgroup_butterfly(value, size);
  subgroup_totals[lid] = select(vec2f(0.0), total, lane == 0u);
  workgroupBarrier();
  var sum = vec2f(0.0);
  for (var slot = lane; slot < REDUCE; slot += size) { sum += subgroup_totals[slot]; }
  let result = subgroup_butterfly(sum, size);
  // Before the next call writes the slots again.
  workgroupBarrier();
  return result;
}
