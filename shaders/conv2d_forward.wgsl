// 2-D convolution, forward: output = bias + weight ⋆ input, optionally followed by ReLU.
// Layouts follow PyTorch: input [N, Ci, H, W], weight [Co, Ci, Kh, Kw], output [N, Co, Ho, Wo].
//
// Register blocking: each invocation computes 4 neighbouring output pixels of one row for 4 output
// channels, as four vec4 accumulators, so every input value it loads feeds 4 channels and every weight feeds
// 4 pixels. The four pixels are written out, not looped over: SwiftShader keeps loop-indexed arrays in
// memory, which made this kernel 2× slower there (measured; lavapipe unrolls either way). The channel tile is the workgroup's y index, the same for every invocation of a workgroup, so
// weight loads are uniform (software adapters then load them once per workgroup, not per lane). No
// workgroup memory and no barriers: on CPU-emulated adapters barriers cost more than the reuse they buy.
// The ReLU is fused so the activation is written once.

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

override WORKGROUP_SIZE: u32 = 64;
override RELU: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;

// The input value under a kernel tap, or 0 in the padding (the clamped index keeps the load in bounds).
fn tap(row: u32, row_inside: bool, ix: i32) -> f32 {
  let inside = row_inside && ix >= 0 && ix < i32(p.in_w);
  return select(0.0, input[row + u32(clamp(ix, 0, i32(p.in_w) - 1))], inside);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Grids wider than 65535 workgroups fold into z (a WebGPU dispatch limit).
  let tile = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
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
        acc0 += tap(row, row_inside, ix) * w;
        acc1 += tap(row, row_inside, ix + sw) * w;
        acc2 += tap(row, row_inside, ix + 2 * sw) * w;
        acc3 += tap(row, row_inside, ix + 3 * sw) * w;
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
