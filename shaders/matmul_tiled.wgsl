// C = A · B for row-major A [M, K], B [K, N], C [M, N], with M, N, K multiples of 4: the tiled form of
// matmul.wgsl, the shape real GPUs want. A workgroup of WG_N × WG_M invocations owns a TILE_M × TILE_N
// block of C; step by step along k it copies TILE_K columns of A and rows of B into workgroup memory
// (vec4 loads, neighbouring invocations neighbouring addresses), then each invocation multiplies its 4 × 4
// register block out of it: 8 vec4 loads from workgroup memory per 64 multiply-adds. The benchmark's
// ceiling is the faster of this and matmul.wgsl on the adapter (src/matmul_ceiling.ts), so "% of ceiling"
// compares against the best this engine has there.

struct Params { m: u32, n: u32, k: u32 }

// TILE_K is a multiple of 4; WG_M × WG_N invocations, 4 × 4 outputs each.
override WG_M: u32 = 8;
override WG_N: u32 = 8;
override TILE_K: u32 = 16;
override TILE_M: u32 = 4u * WG_M;
override TILE_N: u32 = 4u * WG_N;
override THREADS: u32 = WG_M * WG_N;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4f>;

// A's tile as [TILE_M rows][TILE_K / 4] vec4s along k; B's as [TILE_K rows][TILE_N / 4] vec4s along n.
var<workgroup> tile_a: array<vec4f, TILE_M * TILE_K / 4>;
var<workgroup> tile_b: array<vec4f, TILE_K * WG_N>;

@compute @workgroup_size(WG_N, WG_M)
fn main(@builtin(local_invocation_id) local: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) group: vec3u) {
  let k4 = p.k / 4u;
  let n4 = p.n / 4u;
  let m0 = group.y * TILE_M;
  let n0 = group.x * WG_N; // in vec4s
  let a_cols = TILE_K / 4u;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var kb = 0u; kb < k4; kb += a_cols) {
    for (var i = lid; i < TILE_M * a_cols; i += THREADS) {
      let row = m0 + i / a_cols;
      let col = kb + i % a_cols;
      tile_a[i] = select(vec4f(0.0), a[min(row, p.m - 1u) * k4 + min(col, k4 - 1u)], (row < p.m) & (col < k4));
    }
    for (var i = lid; i < TILE_K * WG_N; i += THREADS) {
      let row = kb * 4u + i / WG_N;
      let col = n0 + i % WG_N;
      tile_b[i] = select(vec4f(0.0), b[min(row, p.k - 1u) * n4 + min(col, n4 - 1u)], (row < p.k) & (col < n4));
    }
    workgroupBarrier();
    for (var kk = 0u; kk < a_cols; kk++) {
      // Four k for each of the invocation's four rows, and the matching four rows of B.
      let a0 = tile_a[(local.y * 4u + 0u) * a_cols + kk];
      let a1 = tile_a[(local.y * 4u + 1u) * a_cols + kk];
      let a2 = tile_a[(local.y * 4u + 2u) * a_cols + kk];
      let a3 = tile_a[(local.y * 4u + 3u) * a_cols + kk];
      let b0 = tile_b[(kk * 4u + 0u) * WG_N + local.x];
      let b1 = tile_b[(kk * 4u + 1u) * WG_N + local.x];
      let b2 = tile_b[(kk * 4u + 2u) * WG_N + local.x];
      let b3 = tile_b[(kk * 4u + 3u) * WG_N + local.x];
      acc0 += a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
      acc1 += a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
      acc2 += a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
      acc3 += a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
    }
    workgroupBarrier();
  }
  let col = n0 + local.x;
  let row = m0 + local.y * 4u;
  if (col >= n4) { return; }
  if (row + 0u < p.m) { c[(row + 0u) * n4 + col] = acc0; }
  if (row + 1u < p.m) { c[(row + 1u) * n4 + col] = acc1; }
  if (row + 2u < p.m) { c[(row + 2u) * n4 + col] = acc2; }
  if (row + 3u < p.m) { c[(row + 3u) * n4 + col] = acc3; }
}
