// 2-D convolution as tiled implicit GEMM, the shape real GPUs want: the forward pass (bias and the fused
// activation in the epilogue), the input gradient and the weight gradient, with groups, dilation and
// asymmetric padding (PyTorch's layouts, as conv2d.wgsl and conv2d_general.wgsl: input [N, Ci, H, W],
// weight [Co, Ci / GROUPS, Kh, Kw]). Bottom and right padding need no constant: only the output size,
// which Params carries, depends on them.
//
// Each pass is one matrix product C[M, N] = Σ_k A[k, m] · B[k, n] whose operands are gathered from the
// tensors on the fly ("implicit": no im2col buffer):
//   forward      M = Co, N = batch·Ho·Wo pixels, k = (ci, ky, kx); A = weight, B = input under tap k
//   input_grad   M = Ci, N = batch·H·W pixels,   k = (co, ky, kx); A = weight, B = grad_output reaching it
//   weight_grad  M = Co, N = Ci·Kh·Kw taps,      k = (n, oy, ox);  A = grad_output, B = input under the tap
// With GROUPS > 1 each group is its own product (M and k count the group's channels only: Ci / GROUPS or
// Co / GROUPS), and the grid's rows are GROUPS × the row tiles of one group, so a tile lies in one group.
// A workgroup of WG_N × WG_M invocations owns a TILE_M × TILE_N block of C. Step by step along k it
// stages TILE_K rows of A and B in workgroup memory (every invocation loads a few elements, neighbouring
// invocations neighbouring addresses), then every invocation multiplies its 4 × 4 register block out of
// it with vec4 loads: each value read from workgroup memory feeds 4 multiply-adds. On CPU-emulated
// adapters the barriers cost more than this reuse buys, so conv2d.wgsl's barrier-free kernels stay, and
// the autotuner times both families per adapter and layer shape (src/gpu/autotune.ts).
//
// The weight gradient's reduction (batch·Ho·Wo, tens of thousands) is split into `splits` slices along z
// so that enough workgroups run at once; each writes its partial sums, and reduce_splits adds the slices in
// order. Every output element is thus a fixed sequence of additions: no atomics, the same result every run.
// #include activation_functions.wgsl

struct Params {
  batch: u32, in_channels: u32, in_h: u32, in_w: u32,
  out_channels: u32, out_h: u32, out_w: u32,
  // Slices of the weight gradient's reduction (1 for the other passes).
  splits: u32,
}

override KERNEL_H: u32 = 5;
override KERNEL_W: u32 = 5;
override STRIDE_H: u32 = 1;
override STRIDE_W: u32 = 1;
override PAD_H: u32 = 0;
override PAD_W: u32 = 0;
override DILATION_H: u32 = 1;
override DILATION_W: u32 = 1;
override GROUPS: u32 = 1;

// The tile: WG_M × WG_N invocations, each a 4 × 4 block, so TILE_M = 4·WG_M rows of C and TILE_N = 4·WG_N
// columns; TILE_K steps of k per stage. WG_M must be a multiple of 4 (so B's loads keep a fixed column).
override WG_M: u32 = 8;
override WG_N: u32 = 8;
override TILE_K: u32 = 8;
override TILE_M: u32 = 4u * WG_M;
override TILE_N: u32 = 4u * WG_N;
override THREADS: u32 = WG_M * WG_N;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;
// grad_output is the gradient of the pre-activation output (a fused activation's derivative is applied before).
@group(0) @binding(5) var<storage, read> grad_output: array<f32>;
@group(0) @binding(6) var<storage, read_write> grad_input: array<f32>;
// [splits, Co, Ci / GROUPS·Kh·Kw]: one slice per split (with 1 split, the gradient itself).
@group(0) @binding(7) var<storage, read_write> grad_weight_partial: array<f32>;
@group(0) @binding(8) var<storage, read> partial: array<f32>;
@group(0) @binding(9) var<storage, read_write> grad_weight: array<f32>;
// Forward only: the activated values, when the activation keeps its own output (ACTIVATED_SEPARATELY).
@group(0) @binding(10) var<storage, read_write> activated: array<f32>;

// A's and B's rows for TILE_K steps of k, as vec4s of 4 neighbouring m (A) or n (B).
var<workgroup> tile_a: array<vec4f, TILE_K * WG_M>;
var<workgroup> tile_b: array<vec4f, TILE_K * WG_N>;

// An invocation's 4 × 4 block of C: column c<j> is its n-th column j, lanes its 4 rows m.
struct Block { c0: vec4f, c1: vec4f, c2: vec4f, c3: vec4f }

fn stage_a(kk: u32, m: u32, value: f32) {
  tile_a[kk * WG_M + m / 4u][m % 4u] = value;
}

fn stage_b(kk: u32, n: u32, value: f32) {
  tile_b[kk * WG_N + n / 4u][n % 4u] = value;
}

// The staged steps of k multiplied into the block of invocation (tm, tn), in order of k.
fn multiply_staged(sums: Block, tm: u32, tn: u32) -> Block {
  var r = sums;
  for (var kk = 0u; kk < TILE_K; kk++) {
    let a = tile_a[kk * WG_M + tm];
    let b = tile_b[kk * WG_N + tn];
    r.c0 += a * b.x;
    r.c1 += a * b.y;
    r.c2 += a * b.z;
    r.c3 += a * b.w;
  }
  return r;
}

fn block_columns(b: Block) -> array<vec4f, 4> {
  return array<vec4f, 4>(b.c0, b.c1, b.c2, b.c3);
}

// ---- The forward epilogue: bias, then the fused activation (activation_functions.wgsl) over the output
// ---- or into `activated`. The one place the forward pass's output is written; it mirrors conv2d.wgsl's.
fn epilogue(at: u32, sum: f32, co: u32) {
  let value = sum + bias[co];
  if (ACTIVATED_SEPARATELY) {
    output[at] = value;
    activated[at] = activate(value);
  } else {
    output[at] = activate(value);
  }
}

// The group and first row (within the group's `rows` rows of C) of the workgroup in grid row `y`. With
// GROUPS 1 this folds to (0, y·TILE_M): the dense kernels are unchanged.
fn row_tile(y: u32, rows: u32) -> vec2u {
  let tiles = (rows + TILE_M - 1u) / TILE_M;
  return select(vec2u(y / tiles, (y % tiles) * TILE_M), vec2u(0u, y * TILE_M), GROUPS == 1u);
}

// Workgroups past 65535 along x fold into z (a WebGPU dispatch limit).
fn column_tile(group: vec3u, groups: vec3u) -> u32 {
  return group.x + group.z * groups.x;
}

// An image pixel as (n, y, x) for pixel index `pixel` of a batch of h × w planes.
fn pixel_at(pixel: u32, h: u32, w: u32) -> vec3u {
  let plane = h * w;
  let at = pixel % plane;
  return vec3u(pixel / plane, at / w, at % w);
}

// The input value at (row, iy, ix) of channel plane `plane`, or 0 in the padding.
fn input_value(plane: u32, iy: i32, ix: i32, valid: bool) -> f32 {
  let inside = valid & (iy >= 0) & (iy < i32(p.in_h)) & (ix >= 0) & (ix < i32(p.in_w));
  let y = u32(clamp(iy, 0, i32(p.in_h) - 1));
  let x = u32(clamp(ix, 0, i32(p.in_w) - 1));
  return select(0.0, input[plane + y * p.in_w + x], inside);
}

@compute @workgroup_size(WG_N, WG_M)
fn forward(@builtin(local_invocation_id) local: vec3u, @builtin(local_invocation_index) lid: u32,
           @builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let taps = KERNEL_H * KERNEL_W;
  let in_per_group = p.in_channels / GROUPS;
  let out_per_group = p.out_channels / GROUPS;
  let k_total = in_per_group * taps;
  let out_plane = p.out_h * p.out_w;
  let in_plane = p.in_h * p.in_w;
  let pixels = p.batch * out_plane;
  let rows = row_tile(group.y, out_per_group);
  let m0 = rows.y;
  // The group's first output and input channels.
  let co_first = rows.x * out_per_group;
  let ci_first = rows.x * in_per_group;
  let n0 = column_tile(group, groups) * TILE_N;

  // The pixel whose input column this invocation stages into B, fixed for the whole k loop.
  let col = lid % TILE_N;
  let pixel = n0 + col;
  let at = pixel_at(min(pixel, pixels - 1u), p.out_h, p.out_w);
  let image = at.x * p.in_channels * in_plane;
  let iy0 = i32(at.y * STRIDE_H) - i32(PAD_H);
  let ix0 = i32(at.z * STRIDE_W) - i32(PAD_W);

  var sums = Block(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  for (var k0 = 0u; k0 < k_total; k0 += TILE_K) {
    // A: weight[co, k], neighbouring invocations along k (neighbouring addresses).
    for (var i = lid; i < TILE_K * TILE_M; i += THREADS) {
      let kk = i % TILE_K;
      let m = i / TILE_K;
      let k = k0 + kk;
      let co = m0 + m;
      let valid = (co < out_per_group) & (k < k_total);
      stage_a(kk, m, select(0.0, weight[(co_first + min(co, out_per_group - 1u)) * k_total + min(k, k_total - 1u)], valid));
    }
    // B: the input under tap k of this invocation's pixel.
    for (var kk = lid / TILE_N; kk < TILE_K; kk += THREADS / TILE_N) {
      let k = k0 + kk;
      let ci = ci_first + min(k / taps, in_per_group - 1u);
      let tap = k % taps;
      let iy = iy0 + i32((tap / KERNEL_W) * DILATION_H);
      let ix = ix0 + i32((tap % KERNEL_W) * DILATION_W);
      stage_b(kk, col, input_value(image + ci * in_plane, iy, ix, (pixel < pixels) & (k < k_total)));
    }
    workgroupBarrier();
    sums = multiply_staged(sums, local.y, local.x);
    workgroupBarrier();
  }

  let columns = block_columns(sums);
  let co0 = m0 + local.y * 4u;
  for (var j = 0u; j < 4u; j++) {
    let out_pixel = n0 + local.x * 4u + j;
    if (out_pixel >= pixels) { break; }
    let n = out_pixel / out_plane;
    let op = out_pixel % out_plane;
    for (var t = 0u; t < 4u; t++) {
      let co = co0 + t;
      if (co < out_per_group) { epilogue((n * p.out_channels + co_first + co) * out_plane + op, columns[j][t], co_first + co); }
    }
  }
}

// The output gradient at output row/column (sy, sx) before the division by the stride, or 0 where no
// output's tap lands (outside the output, or between strides).
fn grad_value(plane: u32, sy: i32, sx: i32, valid: bool) -> f32 {
  let oy = sy / i32(STRIDE_H);
  let ox = sx / i32(STRIDE_W);
  let hit = valid & (sy >= 0) & (sx >= 0) & (oy * i32(STRIDE_H) == sy) & (ox * i32(STRIDE_W) == sx) &
            (oy < i32(p.out_h)) & (ox < i32(p.out_w));
  let y = u32(clamp(oy, 0, i32(p.out_h) - 1));
  let x = u32(clamp(ox, 0, i32(p.out_w) - 1));
  return select(0.0, grad_output[plane + y * p.out_w + x], hit);
}

@compute @workgroup_size(WG_N, WG_M)
fn input_grad(@builtin(local_invocation_id) local: vec3u, @builtin(local_invocation_index) lid: u32,
              @builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let taps = KERNEL_H * KERNEL_W;
  let in_per_group = p.in_channels / GROUPS;
  let out_per_group = p.out_channels / GROUPS;
  let k_total = out_per_group * taps;
  let out_plane = p.out_h * p.out_w;
  let in_plane = p.in_h * p.in_w;
  let pixels = p.batch * in_plane;
  let rows = row_tile(group.y, in_per_group);
  let m0 = rows.y;
  let co_first = rows.x * out_per_group;
  let ci_first = rows.x * in_per_group;
  let n0 = column_tile(group, groups) * TILE_N;

  let col = lid % TILE_N;
  let pixel = n0 + col;
  let at = pixel_at(min(pixel, pixels - 1u), p.in_h, p.in_w);
  let image = at.x * p.out_channels * out_plane;
  let ty = i32(at.y + PAD_H);
  let tx = i32(at.z + PAD_W);

  var sums = Block(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  for (var k0 = 0u; k0 < k_total; k0 += TILE_K) {
    // A: weight[co, ci, tap] for k = (co, tap), m = ci (both counted within the group).
    for (var i = lid; i < TILE_K * TILE_M; i += THREADS) {
      let kk = i % TILE_K;
      let m = i / TILE_K;
      let k = min(k0 + kk, k_total - 1u);
      let ci = m0 + m;
      let valid = (ci < in_per_group) & (k0 + kk < k_total);
      let index = ((co_first + k / taps) * in_per_group + min(ci, in_per_group - 1u)) * taps + k % taps;
      stage_a(kk, m, select(0.0, weight[index], valid));
    }
    // B: the output gradient whose tap k lands on this invocation's input pixel.
    for (var kk = lid / TILE_N; kk < TILE_K; kk += THREADS / TILE_N) {
      let k = k0 + kk;
      let co = co_first + min(k / taps, out_per_group - 1u);
      let tap = k % taps;
      let sy = ty - i32((tap / KERNEL_W) * DILATION_H);
      let sx = tx - i32((tap % KERNEL_W) * DILATION_W);
      stage_b(kk, col, grad_value(image + co * out_plane, sy, sx, (pixel < pixels) & (k < k_total)));
    }
    workgroupBarrier();
    sums = multiply_staged(sums, local.y, local.x);
    workgroupBarrier();
  }

  let columns = block_columns(sums);
  let ci0 = m0 + local.y * 4u;
  for (var j = 0u; j < 4u; j++) {
    let in_pixel = n0 + local.x * 4u + j;
    if (in_pixel >= pixels) { break; }
    let n = in_pixel / in_plane;
    let ip = in_pixel % in_plane;
    for (var t = 0u; t < 4u; t++) {
      let ci = ci0 + t;
      if (ci < in_per_group) { grad_input[(n * p.in_channels + ci_first + ci) * in_plane + ip] = columns[j][t]; }
    }
  }
}

@compute @workgroup_size(WG_N, WG_M)
fn weight_grad(@builtin(local_invocation_id) local: vec3u, @builtin(local_invocation_index) lid: u32,
               @builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let taps = KERNEL_H * KERNEL_W;
  let in_per_group = p.in_channels / GROUPS;
  let out_per_group = p.out_channels / GROUPS;
  let weights_per_co = in_per_group * taps;
  let out_plane = p.out_h * p.out_w;
  let in_plane = p.in_h * p.in_w;
  let pixels = p.batch * out_plane;
  let rows = row_tile(group.y, out_per_group);
  let m0 = rows.y;
  let co_first = rows.x * out_per_group;
  let ci_first = rows.x * in_per_group;
  let n0 = group.x * TILE_N;
  // This workgroup's slice of the reduction: whole TILE_K steps, the last slice possibly shorter or empty.
  let chunk = ((pixels + p.splits - 1u) / p.splits + TILE_K - 1u) / TILE_K * TILE_K;
  let k_begin = group.z * chunk;
  let k_end = min(pixels, k_begin + chunk);

  // The tap whose input this invocation stages into B, fixed for the whole k loop.
  let col = lid % TILE_N;
  let tap_index = n0 + col;
  let tap_valid = tap_index < weights_per_co;
  let ci = ci_first + min(tap_index / taps, in_per_group - 1u);
  let tap = tap_index % taps;
  let dy = i32((tap / KERNEL_W) * DILATION_H) - i32(PAD_H);
  let dx = i32((tap % KERNEL_W) * DILATION_W) - i32(PAD_W);

  var sums = Block(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  for (var k0 = k_begin; k0 < k_end; k0 += TILE_K) {
    // A: grad_output[n, co, oy, ox] for k = (n, oy, ox), neighbouring invocations along k.
    for (var i = lid; i < TILE_K * TILE_M; i += THREADS) {
      let kk = i % TILE_K;
      let m = i / TILE_K;
      let k = min(k0 + kk, pixels - 1u);
      let co = m0 + m;
      let valid = (co < out_per_group) & (k0 + kk < k_end);
      let index = ((k / out_plane) * p.out_channels + co_first + min(co, out_per_group - 1u)) * out_plane + k % out_plane;
      stage_a(kk, m, select(0.0, grad_output[index], valid));
    }
    // B: the input under this invocation's tap at output pixel k.
    for (var kk = lid / TILE_N; kk < TILE_K; kk += THREADS / TILE_N) {
      let k = k0 + kk;
      let at = pixel_at(min(k, pixels - 1u), p.out_h, p.out_w);
      let plane = (at.x * p.in_channels + ci) * in_plane;
      let iy = i32(at.y * STRIDE_H) + dy;
      let ix = i32(at.z * STRIDE_W) + dx;
      stage_b(kk, col, input_value(plane, iy, ix, tap_valid & (k < k_end)));
    }
    workgroupBarrier();
    sums = multiply_staged(sums, local.y, local.x);
    workgroupBarrier();
  }

  let columns = block_columns(sums);
  let co0 = m0 + local.y * 4u;
  let slice = group.z * p.out_channels * weights_per_co;
  for (var j = 0u; j < 4u; j++) {
    let w = n0 + local.x * 4u + j;
    if (w >= weights_per_co) { break; }
    for (var t = 0u; t < 4u; t++) {
      let co = co0 + t;
      if (co < out_per_group) { grad_weight_partial[slice + (co_first + co) * weights_per_co + w] = columns[j][t]; }
    }
  }
}

// grad_weight[i] = Σ over slices s = 0, 1, … of partial[s, i], in that order.
@compute @workgroup_size(64)
fn reduce_splits(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.z * groups.x * 64u;
  let total = p.out_channels * (p.in_channels / GROUPS) * KERNEL_H * KERNEL_W;
  if (i >= total) { return; }
  var sum = 0.0;
  for (var s = 0u; s < p.splits; s++) { sum += partial[s * total + i]; }
  grad_weight[i] = sum;
}
