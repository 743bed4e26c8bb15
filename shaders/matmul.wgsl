// C = A · B for row-major A [M, K], B [K, N], C [M, N], with M, N, K multiples of 4. Used by the benchmark
// as the adapter's achievable ceiling: each invocation computes a 4 × 4 block of C with vec4 loads and
// register accumulators, no workgroup memory and no barriers (the fastest shape measured on software
// adapters, where barriers are expensive).

struct Params { m: u32, n: u32, k: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4f>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let tile = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  let cols = p.n / 4u;
  if (tile >= (p.m / 4u) * cols) { return; }
  let row = (tile / cols) * 4u;
  let col = tile % cols;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  let k4 = p.k / 4u;
  // Written out rather than looped: some shader compilers keep loop-indexed arrays in memory.
  for (var kk = 0u; kk < k4; kk++) {
    // Four consecutive k for each of the four rows, and the matching four rows of B.
    let a0 = a[(row + 0u) * k4 + kk];
    let a1 = a[(row + 1u) * k4 + kk];
    let a2 = a[(row + 2u) * k4 + kk];
    let a3 = a[(row + 3u) * k4 + kk];
    let b0 = b[(kk * 4u + 0u) * cols + col];
    let b1 = b[(kk * 4u + 1u) * cols + col];
    let b2 = b[(kk * 4u + 2u) * cols + col];
    let b3 = b[(kk * 4u + 3u) * cols + col];
    acc0 += a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
    acc1 += a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
    acc2 += a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
    acc3 += a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
  }
  c[(row + 0u) * cols + col] = acc0;
  c[(row + 1u) * cols + col] = acc1;
  c[(row + 2u) * cols + col] = acc2;
  c[(row + 3u) * cols + col] = acc3;
}
