// 2-D convolution, forward: output = bias + weight ⋆ input, optionally followed by ReLU.
// Layouts follow PyTorch: input [N, Ci, H, W], weight [Co, Ci, Kh, Kw], output [N, Co, Ho, Wo].
// One invocation per output element; the ReLU is fused so the activation is written once.

struct Params {
  batch: u32, in_channels: u32, in_h: u32, in_w: u32,
  out_channels: u32, out_h: u32, out_w: u32,
  kernel_h: u32, kernel_w: u32, stride_h: u32, stride_w: u32, pad_h: u32, pad_w: u32,
}

override WORKGROUP_SIZE: u32 = 64;
override RELU: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Grids wider than 65535 workgroups fold into y (a WebGPU dispatch limit).
  let index = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (index >= p.batch * p.out_channels * p.out_h * p.out_w) { return; }
  let ox = index % p.out_w;
  let oy = (index / p.out_w) % p.out_h;
  let co = (index / (p.out_w * p.out_h)) % p.out_channels;
  let n = index / (p.out_w * p.out_h * p.out_channels);

  let y0 = i32(oy * p.stride_h) - i32(p.pad_h);
  let x0 = i32(ox * p.stride_w) - i32(p.pad_w);
  // Clip the kernel window to the input once, so the inner loop has no bounds test.
  let ky_begin = u32(max(0, -y0));
  let ky_end = u32(clamp(i32(p.in_h) - y0, 0, i32(p.kernel_h)));
  let kx_begin = u32(max(0, -x0));
  let kx_end = u32(clamp(i32(p.in_w) - x0, 0, i32(p.kernel_w)));

  var sum = bias[co];
  for (var ci = 0u; ci < p.in_channels; ci++) {
    let in_plane = (n * p.in_channels + ci) * p.in_h * p.in_w;
    let w_plane = (co * p.in_channels + ci) * p.kernel_h * p.kernel_w;
    for (var ky = ky_begin; ky < ky_end; ky++) {
      let in_row = in_plane + u32(y0 + i32(ky)) * p.in_w;
      let w_row = w_plane + ky * p.kernel_w;
      for (var kx = kx_begin; kx < kx_end; kx++) {
        sum += input[in_row + u32(x0 + i32(kx))] * weight[w_row + kx];
      }
    }
  }
  if (RELU) { sum = max(sum, 0.0); }
  output[index] = sum;
}
