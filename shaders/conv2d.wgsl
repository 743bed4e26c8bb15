// 2-D convolution: the forward pass (bias and an optional ReLU fused in) and its three gradients.
// Layouts follow PyTorch: input [N, Ci, H, W], weight [Co, Ci, Kh, Kw], output [N, Co, Ho, Wo].
//
// Register blocking: an invocation computes 4 neighbouring pixels of a row (or 4 weight taps) for 4
// channels, as four vec4 accumulators, so every value it loads feeds 4 channels and every weight 4 pixels.
// The channel block is the workgroup's y index, the same for every invocation of a workgroup, so weight
// (or output-gradient) loads are uniform: software adapters then load them once per workgroup, not per lane.
// The four pixels are written out, not looped over: SwiftShader keeps loop-indexed arrays in memory, which
// made these kernels 3× slower there (measured; lavapipe unrolls either way). No workgroup memory and no
// barriers: on CPU-emulated adapters barriers cost more than the reuse they buy.
//
// Every output element is owned by one invocation that sums its whole contribution in a fixed order:
// no atomics, and the same result on every run.

struct Params {
  batch: u32, in_channels: u32, in_h: u32, in_w: u32,
  out_channels: u32, out_h: u32, out_w: u32,
}

// The window's geometry is compiled in (one pipeline per layer shape), so the compiler can unroll the
// kernel loops and fold the stride arithmetic.
override KERNEL_H: u32 = 5;
override KERNEL_W: u32 = 5;
override STRIDE_H: u32 = 1;
override STRIDE_W: u32 = 1;
override PAD_H: u32 = 0;
override PAD_W: u32 = 0;
override RELU: bool = false;

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;
// grad_output is the gradient of the pre-activation output (a fused ReLU's mask is applied before).
@group(0) @binding(5) var<storage, read> grad_output: array<f32>;
@group(0) @binding(6) var<storage, read_write> grad_input: array<f32>;
@group(0) @binding(7) var<storage, read_write> grad_weight: array<f32>;
@group(0) @binding(8) var<storage, read_write> grad_bias: array<f32>;

// Grids wider than 65535 workgroups fold into z (a WebGPU dispatch limit).
fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.z * groups.x * WORKGROUP_SIZE;
}

// The input value at (row, ix), or 0 in the padding.
fn input_at(row: u32, row_inside: bool, ix: i32) -> f32 {
  let inside = row_inside && ix >= 0 && ix < i32(p.in_w);
  return select(0.0, input[row + u32(clamp(ix, 0, i32(p.in_w) - 1))], inside);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let tile = flat_index(gid, groups);
  // A tile is 4 neighbouring outputs of one row: (n, oy, ox0 … ox0 + 3).
  let tiles_per_row = (p.out_w + 3u) / 4u;
  if (tile >= p.batch * p.out_h * tiles_per_row) { return; }
  let ox0 = (tile % tiles_per_row) * 4u;
  let oy = (tile / tiles_per_row) % p.out_h;
  let n = tile / (tiles_per_row * p.out_h);
  let co0 = group.y * 4u;
  // Channels past the end read the last channel's weights; their results are never written.
  let last = p.out_channels - 1u;
  let taps = KERNEL_H * KERNEL_W;
  let w_stride = p.in_channels * taps;
  let w0 = min(co0, last) * w_stride;
  let w1 = min(co0 + 1u, last) * w_stride;
  let w2 = min(co0 + 2u, last) * w_stride;
  let w3 = min(co0 + 3u, last) * w_stride;

  let b = vec4f(bias[min(co0, last)], bias[min(co0 + 1u, last)], bias[min(co0 + 2u, last)], bias[min(co0 + 3u, last)]);
  var acc0 = b;
  var acc1 = b;
  var acc2 = b;
  var acc3 = b;
  let iy0 = i32(oy * STRIDE_H) - i32(PAD_H);
  let ix0 = i32(ox0 * STRIDE_W) - i32(PAD_W);
  let sw = i32(STRIDE_W);
  let in_plane = p.in_h * p.in_w;
  for (var ci = 0u; ci < p.in_channels; ci++) {
    let plane = (n * p.in_channels + ci) * in_plane;
    for (var ky = 0u; ky < KERNEL_H; ky++) {
      let iy = iy0 + i32(ky);
      let row_inside = iy >= 0 && iy < i32(p.in_h);
      let row = plane + u32(clamp(iy, 0, i32(p.in_h) - 1)) * p.in_w;
      for (var kx = 0u; kx < KERNEL_W; kx++) {
        let k = ci * taps + ky * KERNEL_W + kx;
        let w = vec4f(weight[w0 + k], weight[w1 + k], weight[w2 + k], weight[w3 + k]);
        let ix = ix0 + i32(kx);
        acc0 += input_at(row, row_inside, ix) * w;
        acc1 += input_at(row, row_inside, ix + sw) * w;
        acc2 += input_at(row, row_inside, ix + 2 * sw) * w;
        acc3 += input_at(row, row_inside, ix + 3 * sw) * w;
      }
    }
  }

  let out_plane = p.out_h * p.out_w;
  let at = n * p.out_channels * out_plane + oy * p.out_w + ox0;
  let results = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var j = 0u; j < 4u; j++) {
    if (ox0 + j >= p.out_w) { break; }
    var value = results[j];
    if (RELU) { value = max(value, vec4f(0.0)); }
    for (var t = 0u; t < 4u; t++) {
      if (co0 + t < p.out_channels) { output[at + (co0 + t) * out_plane + j] = value[t]; }
    }
  }
}

// The output gradient at the output column whose tap lands on input column tx − pad, or 0 if none does
// (outside the output, or between strides).
fn grad_at(row: u32, row_hit: bool, sx: i32) -> f32 {
  let ox = sx / i32(STRIDE_W);
  let hit = row_hit && sx >= 0 && ox * i32(STRIDE_W) == sx && ox < i32(p.out_w);
  return select(0.0, grad_output[row + u32(clamp(ox, 0, i32(p.out_w) - 1))], hit);
}

// dL/dinput[n, ci, iy, ix] = Σ over (co, ky, kx) with oy·sh − pad + ky = iy of grad_output · weight.
// Blocked like the forward pass: 4 neighbouring input pixels of a row × 4 input channels per invocation.
@compute @workgroup_size(WORKGROUP_SIZE)
fn input_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let tile = flat_index(gid, groups);
  let tiles_per_row = (p.in_w + 3u) / 4u;
  if (tile >= p.batch * p.in_h * tiles_per_row) { return; }
  let ix0 = (tile % tiles_per_row) * 4u;
  let iy = (tile / tiles_per_row) % p.in_h;
  let n = tile / (tiles_per_row * p.in_h);
  let ci0 = group.y * 4u;
  let last = p.in_channels - 1u;
  let taps = KERNEL_H * KERNEL_W;
  let c0 = min(ci0, last) * taps;
  let c1 = min(ci0 + 1u, last) * taps;
  let c2 = min(ci0 + 2u, last) * taps;
  let c3 = min(ci0 + 3u, last) * taps;
  let out_plane = p.out_h * p.out_w;

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  let ty = i32(iy + PAD_H);
  let tx0 = i32(ix0 + PAD_W);
  for (var co = 0u; co < p.out_channels; co++) {
    let plane = (n * p.out_channels + co) * out_plane;
    let w_co = co * p.in_channels * taps;
    for (var ky = 0u; ky < KERNEL_H; ky++) {
      // The output row whose tap ky lands on this input row, if any.
      let sy = ty - i32(ky);
      let oy = sy / i32(STRIDE_H);
      let row_hit = sy >= 0 && oy * i32(STRIDE_H) == sy && oy < i32(p.out_h);
      let row = plane + u32(clamp(oy, 0, i32(p.out_h) - 1)) * p.out_w;
      for (var kx = 0u; kx < KERNEL_W; kx++) {
        let k = w_co + ky * KERNEL_W + kx;
        let w = vec4f(weight[k + c0], weight[k + c1], weight[k + c2], weight[k + c3]);
        let sx = tx0 - i32(kx);
        acc0 += grad_at(row, row_hit, sx) * w;
        acc1 += grad_at(row, row_hit, sx + 1) * w;
        acc2 += grad_at(row, row_hit, sx + 2) * w;
        acc3 += grad_at(row, row_hit, sx + 3) * w;
      }
    }
  }

  let in_plane = p.in_h * p.in_w;
  let at = n * p.in_channels * in_plane + iy * p.in_w + ix0;
  let results = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var j = 0u; j < 4u; j++) {
    if (ix0 + j >= p.in_w) { break; }
    for (var t = 0u; t < 4u; t++) {
      if (ci0 + t < p.in_channels) { grad_input[at + (ci0 + t) * in_plane + j] = results[j][t]; }
    }
  }
}

// The start of input row oy·sh + dy in a plane, and whether that row exists.
fn input_row(plane: u32, oy: u32, dy: i32) -> vec2u {
  let iy = i32(oy * STRIDE_H) + dy;
  return vec2u(plane + u32(clamp(iy, 0, i32(p.in_h) - 1)) * p.in_w, select(0u, 1u, iy >= 0 && iy < i32(p.in_h)));
}

// dL/dweight[co, ci, ky, kx] = Σ over (n, oy, ox) of grad_output · input at the tap's position.
// Each invocation owns 4 taps (consecutive in ci·kh·kw order) × 4 output channels, the channel block uniform
// per workgroup (y) so grad_output loads are shared; the sum over the batch runs in a fixed order.
@compute @workgroup_size(WORKGROUP_SIZE)
fn weight_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let tile = flat_index(gid, groups);
  let taps = KERNEL_H * KERNEL_W;
  let weights_per_co = p.in_channels * taps;
  if (tile * 4u >= weights_per_co) { return; }
  let co0 = group.y * 4u;
  let last = p.out_channels - 1u;
  let out_plane = p.out_h * p.out_w;
  let g0 = min(co0, last) * out_plane;
  let g1 = min(co0 + 1u, last) * out_plane;
  let g2 = min(co0 + 2u, last) * out_plane;
  let g3 = min(co0 + 3u, last) * out_plane;
  let in_plane = p.in_h * p.in_w;

  // The four taps: their input plane and their offset from the output position (stride applied).
  let k0 = tile * 4u;
  let k1 = min(k0 + 1u, weights_per_co - 1u);
  let k2 = min(k0 + 2u, weights_per_co - 1u);
  let k3 = min(k0 + 3u, weights_per_co - 1u);
  let plane = vec4u(k0 / taps, k1 / taps, k2 / taps, k3 / taps) * in_plane;
  let r = vec4u(k0 % taps, k1 % taps, k2 % taps, k3 % taps);
  let dy = vec4i(r / KERNEL_W) - i32(PAD_H);
  let dx = vec4i(r % KERNEL_W) - i32(PAD_W);

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var n = 0u; n < p.batch; n++) {
    let g_batch = n * p.out_channels * out_plane;
    let x_batch = n * p.in_channels * in_plane;
    for (var oy = 0u; oy < p.out_h; oy++) {
      let row0 = input_row(x_batch + plane.x, oy, dy.x);
      let row1 = input_row(x_batch + plane.y, oy, dy.y);
      let row2 = input_row(x_batch + plane.z, oy, dy.z);
      let row3 = input_row(x_batch + plane.w, oy, dy.w);
      for (var ox = 0u; ox < p.out_w; ox++) {
        let o = g_batch + oy * p.out_w + ox;
        let g = vec4f(grad_output[o + g0], grad_output[o + g1], grad_output[o + g2], grad_output[o + g3]);
        let ix = i32(ox * STRIDE_W) + dx;
        acc0 += input_at(row0.x, row0.y != 0u, ix.x) * g;
        acc1 += input_at(row1.x, row1.y != 0u, ix.y) * g;
        acc2 += input_at(row2.x, row2.y != 0u, ix.z) * g;
        acc3 += input_at(row3.x, row3.y != 0u, ix.w) * g;
      }
    }
  }

  let results = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var j = 0u; j < 4u; j++) {
    let k = tile * 4u + j;
    if (k >= weights_per_co) { break; }
    for (var t = 0u; t < 4u; t++) {
      if (co0 + t < p.out_channels) { grad_weight[(co0 + t) * weights_per_co + k] = results[j][t]; }
    }
  }
}

// dL/dbias[co] = Σ over (n, oy, ox) of grad_output.
@compute @workgroup_size(WORKGROUP_SIZE)
fn bias_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let co = flat_index(gid, groups);
  if (co >= p.out_channels) { return; }
  let plane = p.out_h * p.out_w;
  var sum = 0.0;
  for (var n = 0u; n < p.batch; n++) {
    let g_plane = (n * p.out_channels + co) * plane;
    for (var i = 0u; i < plane; i++) { sum += grad_output[g_plane + i]; }
  }
  grad_bias[co] = sum;
}
