// 2-D convolution: the forward pass (bias and an optional activation fused in) and its three gradients.
// Layouts follow PyTorch: input [N, Ci, H, W], weight [Co, Ci, Kh, Kw], output [N, Co, Ho, Wo].
//
// Register blocking: an invocation computes 8 neighbouring pixels of a row for 4 channels (eight vec4
// accumulators), so every weight it loads feeds 8 pixels and every input value 4 channels. The channel
// block is the workgroup's y index, the same for every invocation of a workgroup, so weight (or
// output-gradient) loads are uniform: software adapters then load them once for many lanes.
//
// Sliding windows: along a row of the kernel, neighbouring pixels read neighbouring inputs, so the
// invocation keeps the 8 values under its pixels in registers and, tap after tap, shifts them by one and
// loads a single new value (forward with stride 1, the input gradient at any stride, the weight gradient
// with stride 1); other strides load every value. Loads, not arithmetic, bound these kernels on CPU-emulated
// adapters: this made the forward pass 1.5× faster on lavapipe and 2.3× on SwiftShader (measured).
// The pixels are struct fields (Tile, Window), not a looped-over array: SwiftShader keeps loop-indexed
// arrays in memory, which made these kernels 3× slower there (measured; lavapipe unrolls either way). Bounds tests combine with
// `&`, not `&&`: short-circuits become branches, and with a dozen of them unrolled SwiftShader took 45 s
// to compile the input gradient (0.1 s with `&`). No workgroup memory and no
// barriers: on CPU-emulated adapters barriers cost more than the reuse they buy.
//
// Every output element is owned by one invocation that sums its whole contribution in a fixed order:
// no atomics, and the same result on every run.
// #include activation_functions.wgsl

struct Params {
  batch: u32, in_channels: u32, in_h: u32, in_w: u32,
  out_channels: u32, out_h: u32, out_w: u32,
}

// The window's geometry is compiled in (one pipeline per layer shape), so the compiler can unroll the
// kernel loops, fold the stride arithmetic and drop the branches for other strides.
override KERNEL_H: u32 = 5;
override KERNEL_W: u32 = 5;
override STRIDE_H: u32 = 1;
override STRIDE_W: u32 = 1;
override PAD_H: u32 = 0;
override PAD_W: u32 = 0;
// Forward only: `weight` holds the tap-major copy that pack_weights makes ([Ci·Kh·Kw, Co rounded up to 4],
// zeros past the last channel), where one tap's 4 channels are neighbours. Faster on some adapters and
// slower on others, so the engine measures both on the adapter and keeps the faster (src/gpu/autotune.ts).
override PACKED_WEIGHTS: bool = false;

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;
// grad_output is the gradient of the pre-activation output (a fused activation's backward pass runs before).
@group(0) @binding(5) var<storage, read> grad_output: array<f32>;
@group(0) @binding(6) var<storage, read_write> grad_input: array<f32>;
@group(0) @binding(7) var<storage, read_write> grad_weight: array<f32>;
@group(0) @binding(8) var<storage, read_write> grad_bias: array<f32>;
@group(0) @binding(9) var<storage, read_write> packed_weight: array<f32>;
// Forward only: the activated values, when the activation keeps its own output (ACTIVATED_SEPARATELY).
@group(0) @binding(10) var<storage, read_write> activated: array<f32>;

// Grids wider than 65535 workgroups fold into z (a WebGPU dispatch limit).
fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.z * groups.x * WORKGROUP_SIZE;
}

// Where tile `tile` of 8 neighbouring pixels of a row lies in a batch of h × w planes: (n, y, first x),
// with n = batch for tiles past the end.
fn row_tile(tile: u32, h: u32, w: u32) -> vec3u {
  let tiles_per_row = (w + 7u) / 8u;
  return vec3u(tile / (tiles_per_row * h), (tile / tiles_per_row) % h, (tile % tiles_per_row) * 8u);
}

// Offsets (channel · stride) of channels c0 … c0 + 3; channels past `last` repeat it (their results are
// never written).
fn channel_offsets(c0: u32, last: u32, stride: u32) -> vec4u {
  return min(vec4u(c0, c0 + 1u, c0 + 2u, c0 + 3u), vec4u(last)) * stride;
}

// The input value at (row, ix), or 0 in the padding.
fn input_at(row: u32, row_inside: bool, ix: i32) -> f32 {
  let inside = row_inside & (ix >= 0) & (ix < i32(p.in_w));
  return select(0.0, input[row + u32(clamp(ix, 0, i32(p.in_w) - 1))], inside);
}

// A tile's sums: 8 pixels of a row, each a vec4 of 4 channels. Named fields, not an array, so every
// adapter keeps them in registers.
struct Tile { p0: vec4f, p1: vec4f, p2: vec4f, p3: vec4f, p4: vec4f, p5: vec4f, p6: vec4f, p7: vec4f }

// The 8 values under a tile's pixels at one tap of the kernel.
struct Window { v0: f32, v1: f32, v2: f32, v3: f32, v4: f32, v5: f32, v6: f32, v7: f32 }

// The input values at columns ix, ix + step, …, ix + 7·step of a row (0 in the padding).
fn window_at(row: u32, row_inside: bool, ix: i32, step: i32) -> Window {
  return Window(input_at(row, row_inside, ix), input_at(row, row_inside, ix + step), input_at(row, row_inside, ix + 2 * step),
                input_at(row, row_inside, ix + 3 * step), input_at(row, row_inside, ix + 4 * step), input_at(row, row_inside, ix + 5 * step),
                input_at(row, row_inside, ix + 6 * step), input_at(row, row_inside, ix + 7 * step));
}

fn splat_tile(v: vec4f) -> Tile {
  return Tile(v, v, v, v, v, v, v, v);
}

// The tile plus each pixel's window value times the 4 channels' weights of this tap.
fn accumulate(t: Tile, x: Window, w: vec4f) -> Tile {
  return Tile(t.p0 + x.v0 * w, t.p1 + x.v1 * w, t.p2 + x.v2 * w, t.p3 + x.v3 * w,
              t.p4 + x.v4 * w, t.p5 + x.v5 * w, t.p6 + x.v6 * w, t.p7 + x.v7 * w);
}

fn tile_pixels(t: Tile) -> array<vec4f, 8> {
  return array<vec4f, 8>(t.p0, t.p1, t.p2, t.p3, t.p4, t.p5, t.p6, t.p7);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // A tile is 8 neighbouring outputs of one row: (n, oy, ox0 … ox0 + 7).
  let at_tile = row_tile(flat_index(gid, groups), p.out_h, p.out_w);
  let n = at_tile.x;
  if (n >= p.batch) { return; }
  let oy = at_tile.y;
  let ox0 = at_tile.z;
  let co0 = group.y * 4u;
  let last = p.out_channels - 1u;
  let taps = KERNEL_H * KERNEL_W;
  let weight_at = channel_offsets(co0, last, p.in_channels * taps);
  let co_padded = (p.out_channels + 3u) & ~3u;

  let ch = channel_offsets(co0, last, 1u);
  let b = vec4f(bias[ch.x], bias[ch.y], bias[ch.z], bias[ch.w]);
  // The bias is added last, as conv2d_tiled.wgsl's epilogue does, so every variant takes the same sums.
  var acc = splat_tile(vec4f(0.0));
  let iy0 = i32(oy * STRIDE_H) - i32(PAD_H);
  let ix0 = i32(ox0 * STRIDE_W) - i32(PAD_W);
  let sw = i32(STRIDE_W);
  let in_plane = p.in_h * p.in_w;
  for (var ci = 0u; ci < p.in_channels; ci++) {
    let plane = (n * p.in_channels + ci) * in_plane;
    for (var ky = 0u; ky < KERNEL_H; ky++) {
      let iy = iy0 + i32(ky);
      let row_inside = (iy >= 0) & (iy < i32(p.in_h));
      let row = plane + u32(clamp(iy, 0, i32(p.in_h) - 1)) * p.in_w;
      // The inputs under the 8 pixels at tap kx: pixel j's at column ix0 + j·stride + kx. With stride 1,
      // pixel j's next tap reads what pixel j + 1 read at this one, so the window slides left by one.
      var x = Window(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
      if (STRIDE_W == 1u) { x = window_at(row, row_inside, ix0, 1); }
      for (var kx = 0u; kx < KERNEL_W; kx++) {
        let ix = ix0 + i32(kx);
        if (STRIDE_W == 1u) {
          x.v7 = input_at(row, row_inside, ix + 7);
        } else {
          x = window_at(row, row_inside, ix, sw);
        }
        let k = ci * taps + ky * KERNEL_W + kx;
        var tap_weights: vec4f;
        if (PACKED_WEIGHTS) {
          let at = k * co_padded + co0;
          tap_weights = vec4f(weight[at], weight[at + 1u], weight[at + 2u], weight[at + 3u]);
        } else {
          tap_weights = vec4f(weight[weight_at.x + k], weight[weight_at.y + k], weight[weight_at.z + k], weight[weight_at.w + k]);
        }
        acc = accumulate(acc, x, tap_weights);
        x = Window(x.v1, x.v2, x.v3, x.v4, x.v5, x.v6, x.v7, 0.0);
      }
    }
  }

  let out_plane = p.out_h * p.out_w;
  let at = n * p.out_channels * out_plane + oy * p.out_w + ox0;
  let results = tile_pixels(acc);
  for (var j = 0u; j < 8u; j++) {
    if (ox0 + j >= p.out_w) { break; }
    // The epilogue: the bias, then a fused activation (activation_functions.wgsl) over the output or into `activated`.
    let sum = results[j] + b;
    let value = activate4(sum);
    for (var t = 0u; t < 4u; t++) {
      if (co0 + t < p.out_channels) {
        let o = at + (co0 + t) * out_plane + j;
        if (ACTIVATED_SEPARATELY) {
          output[o] = sum[t];
          activated[o] = value[t];
        } else {
          output[o] = value[t];
        }
      }
    }
  }
}

// The tap-major copy of the weights that the forward pass reads with PACKED_WEIGHTS:
// packed_weight[k · Co4 + co] = weight[co · K + k] for K = Ci·Kh·Kw taps, Co4 = Co rounded up to 4.
@compute @workgroup_size(WORKGROUP_SIZE)
fn pack_weights(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat_index(gid, groups);
  let co_padded = (p.out_channels + 3u) & ~3u;
  let taps = p.in_channels * KERNEL_H * KERNEL_W;
  if (i >= taps * co_padded) { return; }
  let co = i % co_padded;
  let value = weight[min(co, p.out_channels - 1u) * taps + i / co_padded];
  packed_weight[i] = select(0.0, value, co < p.out_channels);
}

// The output gradient at the output column whose tap lands on input column tx − pad, or 0 if none does
// (outside the output, or between strides).
fn grad_at(row: u32, row_hit: bool, sx: i32) -> f32 {
  let ox = sx / i32(STRIDE_W);
  let hit = row_hit & (sx >= 0) & (ox * i32(STRIDE_W) == sx) & (ox < i32(p.out_w));
  return select(0.0, grad_output[row + u32(clamp(ox, 0, i32(p.out_w) - 1))], hit);
}

// dL/dinput[n, ci, iy, ix] = Σ over (co, ky, kx) with oy·sh − pad + ky = iy of grad_output · weight.
// Blocked like the forward pass: 8 neighbouring input pixels of a row × 4 input channels per invocation.
@compute @workgroup_size(WORKGROUP_SIZE)
fn input_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let at_tile = row_tile(flat_index(gid, groups), p.in_h, p.in_w);
  let n = at_tile.x;
  if (n >= p.batch) { return; }
  let iy = at_tile.y;
  let ix0 = at_tile.z;
  let ci0 = group.y * 4u;
  let taps = KERNEL_H * KERNEL_W;
  let c = channel_offsets(ci0, p.in_channels - 1u, taps);
  let out_plane = p.out_h * p.out_w;

  var acc = splat_tile(vec4f(0.0));
  let ty = i32(iy + PAD_H);
  let tx0 = i32(ix0 + PAD_W);
  for (var co = 0u; co < p.out_channels; co++) {
    let plane = (n * p.out_channels + co) * out_plane;
    let w_co = co * p.in_channels * taps;
    for (var ky = 0u; ky < KERNEL_H; ky++) {
      // The output row whose tap ky lands on this input row, if any.
      let sy = ty - i32(ky);
      let oy = sy / i32(STRIDE_H);
      let row_hit = (sy >= 0) & (oy * i32(STRIDE_H) == sy) & (oy < i32(p.out_h));
      let row = plane + u32(clamp(oy, 0, i32(p.out_h) - 1)) * p.out_w;
      // What tap kx takes to input pixels ix0 … ix0 + 7 (pixel j: the gradient at tx0 + j − kx). Tap
      // kx + 1 takes to pixel j what tap kx took to pixel j − 1, at every stride: the window slides right
      // and one new value enters at the left.
      var g = Window(0.0, grad_at(row, row_hit, tx0 + 1), grad_at(row, row_hit, tx0 + 2), grad_at(row, row_hit, tx0 + 3),
                     grad_at(row, row_hit, tx0 + 4), grad_at(row, row_hit, tx0 + 5), grad_at(row, row_hit, tx0 + 6),
                     grad_at(row, row_hit, tx0 + 7));
      for (var kx = 0u; kx < KERNEL_W; kx++) {
        g.v0 = grad_at(row, row_hit, tx0 - i32(kx));
        let k = w_co + ky * KERNEL_W + kx;
        acc = accumulate(acc, g, vec4f(weight[k + c.x], weight[k + c.y], weight[k + c.z], weight[k + c.w]));
        g = Window(0.0, g.v0, g.v1, g.v2, g.v3, g.v4, g.v5, g.v6);
      }
    }
  }

  let in_plane = p.in_h * p.in_w;
  let at = n * p.in_channels * in_plane + iy * p.in_w + ix0;
  let results = tile_pixels(acc);
  for (var j = 0u; j < 8u; j++) {
    if (ix0 + j >= p.in_w) { break; }
    for (var t = 0u; t < 4u; t++) {
      if (ci0 + t < p.in_channels) { grad_input[at + (ci0 + t) * in_plane + j] = results[j][t]; }
    }
  }
}

// The taps a weight-gradient invocation owns: `width` neighbouring taps of kernel row ky of input
// channel ci, from tap kx0 (rows of the kernel split into blocks of `width`; ci is past the last channel
// for invocations with nothing to do).
struct TapBlock { ci: u32, ky: u32, kx0: u32 }

fn tap_block(tile: u32, width: u32) -> TapBlock {
  let blocks = (KERNEL_W + width - 1u) / width;
  return TapBlock(tile / (blocks * KERNEL_H), (tile / blocks) % KERNEL_H, (tile % blocks) * width);
}

// dL/dweight[co, ci, ky, kx] = Σ over (n, oy, ox) of grad_output · input at the tap's position.
// Each invocation owns 4 neighbouring taps of one kernel row (ci, ky, kx0 … kx0 + 3) × 8 output channels,
// the channel block uniform per workgroup (y) so grad_output loads are shared. Along an output row the
// taps slide over the input row like the pixels of the forward pass. The sum over the batch runs in a
// fixed order.
@compute @workgroup_size(WORKGROUP_SIZE)
fn weight_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let own = tap_block(flat_index(gid, groups), 4u);
  if (own.ci >= p.in_channels) { return; }
  let co0 = group.y * 8u;
  let last = p.out_channels - 1u;
  let out_plane = p.out_h * p.out_w;
  // Offsets of the 8 channels' planes.
  let ga = channel_offsets(co0, last, out_plane);
  let gb = channel_offsets(co0 + 4u, last, out_plane);
  let in_plane = p.in_h * p.in_w;
  let dy = i32(own.ky) - i32(PAD_H);
  let dx = i32(own.kx0) - i32(PAD_W);
  let sw = i32(STRIDE_W);

  // accTa, accTb: tap kx0 + T for channels co0 … co0 + 3 and co0 + 4 … co0 + 7.
  var acc0a = vec4f(0.0);
  var acc0b = vec4f(0.0);
  var acc1a = vec4f(0.0);
  var acc1b = vec4f(0.0);
  var acc2a = vec4f(0.0);
  var acc2b = vec4f(0.0);
  var acc3a = vec4f(0.0);
  var acc3b = vec4f(0.0);
  for (var n = 0u; n < p.batch; n++) {
    let g_batch = n * p.out_channels * out_plane;
    let plane = (n * p.in_channels + own.ci) * in_plane;
    for (var oy = 0u; oy < p.out_h; oy++) {
      let iy = i32(oy * STRIDE_H) + dy;
      let row_inside = (iy >= 0) & (iy < i32(p.in_h));
      let row = plane + u32(clamp(iy, 0, i32(p.in_h) - 1)) * p.in_w;
      // x0 … x3: the inputs under taps kx0 … kx0 + 3 at output column ox (input column ox·stride + dx + t).
      var x0 = 0.0;
      var x1 = 0.0;
      var x2 = 0.0;
      var x3 = 0.0;
      if (STRIDE_W == 1u) {
        x0 = input_at(row, row_inside, dx);
        x1 = input_at(row, row_inside, dx + 1);
        x2 = input_at(row, row_inside, dx + 2);
      }
      for (var ox = 0u; ox < p.out_w; ox++) {
        let ix = i32(ox) * sw + dx;
        if (STRIDE_W == 1u) {
          x3 = input_at(row, row_inside, ix + 3);
        } else {
          x0 = input_at(row, row_inside, ix);
          x1 = input_at(row, row_inside, ix + 1);
          x2 = input_at(row, row_inside, ix + 2);
          x3 = input_at(row, row_inside, ix + 3);
        }
        let o = g_batch + oy * p.out_w + ox;
        let a = vec4f(grad_output[o + ga.x], grad_output[o + ga.y], grad_output[o + ga.z], grad_output[o + ga.w]);
        let b = vec4f(grad_output[o + gb.x], grad_output[o + gb.y], grad_output[o + gb.z], grad_output[o + gb.w]);
        acc0a += x0 * a;
        acc0b += x0 * b;
        acc1a += x1 * a;
        acc1b += x1 * b;
        acc2a += x2 * a;
        acc2b += x2 * b;
        acc3a += x3 * a;
        acc3b += x3 * b;
        // With stride 1, tap t at the next column reads what tap t + 1 read at this one.
        x0 = x1;
        x1 = x2;
        x2 = x3;
      }
    }
  }

  let weights_per_co = p.in_channels * KERNEL_H * KERNEL_W;
  let k_row = (own.ci * KERNEL_H + own.ky) * KERNEL_W + own.kx0;
  let results = array<vec4f, 8>(acc0a, acc0b, acc1a, acc1b, acc2a, acc2b, acc3a, acc3b);
  for (var t = 0u; t < 4u; t++) {
    if (own.kx0 + t >= KERNEL_W) { break; }
    for (var c = 0u; c < 8u; c++) {
      if (co0 + c < p.out_channels) { grad_weight[(co0 + c) * weights_per_co + k_row + t] = results[2u * t + c / 4u][c % 4u]; }
    }
  }
}

// The same gradient with the blocking turned around: 8 neighbouring taps of a kernel row (a Tile, tap t
// in field p<t>) × 4 output channels. Half the grad_output loads per multiply-add of weight_grad, for
// kernel rows of 5 to 8 taps; narrower kernels leave more of the 8 taps idle. Both are kept and the
// autotuner chooses per adapter and shape.
@compute @workgroup_size(WORKGROUP_SIZE)
fn weight_grad_taps8(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let own = tap_block(flat_index(gid, groups), 8u);
  if (own.ci >= p.in_channels) { return; }
  let co0 = group.y * 4u;
  let last = p.out_channels - 1u;
  let out_plane = p.out_h * p.out_w;
  let g = channel_offsets(co0, last, out_plane);
  let in_plane = p.in_h * p.in_w;
  let dy = i32(own.ky) - i32(PAD_H);
  let dx = i32(own.kx0) - i32(PAD_W);
  let sw = i32(STRIDE_W);

  var acc = splat_tile(vec4f(0.0));
  for (var n = 0u; n < p.batch; n++) {
    let g_batch = n * p.out_channels * out_plane;
    let plane = (n * p.in_channels + own.ci) * in_plane;
    for (var oy = 0u; oy < p.out_h; oy++) {
      let iy = i32(oy * STRIDE_H) + dy;
      let row_inside = (iy >= 0) & (iy < i32(p.in_h));
      let row = plane + u32(clamp(iy, 0, i32(p.in_h) - 1)) * p.in_w;
      // The inputs under taps kx0 … kx0 + 7 at output column ox (input column ox·stride + dx + t); with
      // stride 1, tap t at the next column reads what tap t + 1 read at this one.
      var x = Window(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
      if (STRIDE_W == 1u) { x = window_at(row, row_inside, dx, 1); }
      for (var ox = 0u; ox < p.out_w; ox++) {
        let ix = i32(ox) * sw + dx;
        if (STRIDE_W == 1u) {
          x.v7 = input_at(row, row_inside, ix + 7);
        } else {
          x = window_at(row, row_inside, ix, 1);
        }
        let o = g_batch + oy * p.out_w + ox;
        acc = accumulate(acc, x, vec4f(grad_output[o + g.x], grad_output[o + g.y], grad_output[o + g.z], grad_output[o + g.w]));
        x = Window(x.v1, x.v2, x.v3, x.v4, x.v5, x.v6, x.v7, 0.0);
      }
    }
  }

  let weights_per_co = p.in_channels * KERNEL_H * KERNEL_W;
  let k_row = (own.ci * KERNEL_H + own.ky) * KERNEL_W + own.kx0;
  let results = tile_pixels(acc);
  for (var t = 0u; t < 8u; t++) {
    if (own.kx0 + t >= KERNEL_W) { break; }
    for (var c = 0u; c < 4u; c++) {
      if (co0 + c < p.out_channels) { grad_weight[(co0 + c) * weights_per_co + k_row + t] = results[t][c]; }
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
