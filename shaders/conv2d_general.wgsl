// 2-D convolution in its general form: groups, dilation and asymmetric padding (PyTorch's padding='same'
// with an even dilated kernel pads one more on the bottom and right). The forward pass (bias and an
// optional activation fused in) and its three gradients.
// Layouts follow PyTorch: input [N, Ci, H, W], weight [Co, Ci / GROUPS, Kh, Kw], output [N, Co, Ho, Wo];
// output channel co reads input channels of its group, g = co / (Co / GROUPS).
//
// conv2d.wgsl stays the fast path for groups 1, dilation 1 and symmetric padding; this family is plain on
// purpose (one element per invocation, no register blocking), so that the rarer cases are simply correct.
// Every output element is owned by one invocation that sums its whole contribution in a fixed order:
// no atomics, and the same result on every run.
// #include activation_functions.wgsl

struct Params {
  batch: u32, in_channels: u32, in_h: u32, in_w: u32,
  out_channels: u32, out_h: u32, out_w: u32,
}

// The geometry is compiled in (one pipeline per layer shape), so the compiler can unroll the tap loops.
// Bottom and right padding need no constant: they only decide the output size, which Params carries.
override KERNEL_H: u32 = 3;
override KERNEL_W: u32 = 3;
override STRIDE_H: u32 = 1;
override STRIDE_W: u32 = 1;
override DILATION_H: u32 = 1;
override DILATION_W: u32 = 1;
override PAD_TOP: u32 = 0;
override PAD_LEFT: u32 = 0;
override GROUPS: u32 = 1;

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
// Forward only: the activated values, when the activation keeps its own output (ACTIVATED_SEPARATELY).
@group(0) @binding(9) var<storage, read_write> activated: array<f32>;

// Grids wider than 65535 workgroups fold into z (a WebGPU dispatch limit).
fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.z * groups.x * WORKGROUP_SIZE;
}

// The input coordinate that tap k of output coordinate o reads (negative or past the end in the padding).
fn tap_y(oy: u32, ky: u32) -> i32 {
  return i32(oy * STRIDE_H + ky * DILATION_H) - i32(PAD_TOP);
}
fn tap_x(ox: u32, kx: u32) -> i32 {
  return i32(ox * STRIDE_W + kx * DILATION_W) - i32(PAD_LEFT);
}

// output[n, co, oy, ox] = bias[co] + Σ over (ci in co's group, ky, kx) of input · weight.
@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat_index(gid, groups);
  if (i >= p.batch * p.out_channels * p.out_h * p.out_w) { return; }
  let ox = i % p.out_w;
  let oy = (i / p.out_w) % p.out_h;
  let co = (i / (p.out_w * p.out_h)) % p.out_channels;
  let n = i / (p.out_w * p.out_h * p.out_channels);
  let in_per_group = p.in_channels / GROUPS;
  let first_ci = (co / (p.out_channels / GROUPS)) * in_per_group;
  // The bias is added last, as conv2d_tiled.wgsl's epilogue does, so every variant takes the same sums.
  var sum = 0.0;
  for (var cg = 0u; cg < in_per_group; cg++) {
    let plane = (n * p.in_channels + first_ci + cg) * p.in_h;
    let taps = (co * in_per_group + cg) * KERNEL_H;
    for (var ky = 0u; ky < KERNEL_H; ky++) {
      let iy = tap_y(oy, ky);
      for (var kx = 0u; kx < KERNEL_W; kx++) {
        let ix = tap_x(ox, kx);
        // `&`, not `&&`: short-circuits become branches, slow to compile on SwiftShader once unrolled.
        let inside = (iy >= 0) & (iy < i32(p.in_h)) & (ix >= 0) & (ix < i32(p.in_w));
        let at = (plane + u32(clamp(iy, 0, i32(p.in_h) - 1))) * p.in_w + u32(clamp(ix, 0, i32(p.in_w) - 1));
        sum += select(0.0, input[at] * weight[(taps + ky) * KERNEL_W + kx], inside);
      }
    }
  }
  // The epilogue: the bias, then a fused activation (activation_functions.wgsl) over the output or into `activated`.
  let value = sum + bias[co];
  if (ACTIVATED_SEPARATELY) {
    output[i] = value;
    activated[i] = activate(value);
  } else {
    output[i] = activate(value);
  }
}

// dL/dinput[n, ci, iy, ix] = Σ over (co in ci's group, ky, kx) with oy·sh − pad_top + ky·dh = iy (and the
// same along x) of grad_output · weight.
@compute @workgroup_size(WORKGROUP_SIZE)
fn input_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat_index(gid, groups);
  if (i >= p.batch * p.in_channels * p.in_h * p.in_w) { return; }
  let ix = i % p.in_w;
  let iy = (i / p.in_w) % p.in_h;
  let ci = (i / (p.in_w * p.in_h)) % p.in_channels;
  let n = i / (p.in_w * p.in_h * p.in_channels);
  let in_per_group = p.in_channels / GROUPS;
  let out_per_group = p.out_channels / GROUPS;
  let cg = ci % in_per_group;
  let first_co = (ci / in_per_group) * out_per_group;
  var sum = 0.0;
  for (var j = 0u; j < out_per_group; j++) {
    let co = first_co + j;
    let plane = (n * p.out_channels + co) * p.out_h;
    let taps = (co * in_per_group + cg) * KERNEL_H;
    for (var ky = 0u; ky < KERNEL_H; ky++) {
      // The output row whose tap ky lands on iy, if one does (on a stride step and inside the output).
      let sy = i32(iy + PAD_TOP) - i32(ky * DILATION_H);
      let oy = sy / i32(STRIDE_H);
      let row_hit = (sy >= 0) & (oy * i32(STRIDE_H) == sy) & (oy < i32(p.out_h));
      for (var kx = 0u; kx < KERNEL_W; kx++) {
        let sx = i32(ix + PAD_LEFT) - i32(kx * DILATION_W);
        let ox = sx / i32(STRIDE_W);
        let hit = row_hit & (sx >= 0) & (ox * i32(STRIDE_W) == sx) & (ox < i32(p.out_w));
        let at = (plane + u32(clamp(oy, 0, i32(p.out_h) - 1))) * p.out_w + u32(clamp(ox, 0, i32(p.out_w) - 1));
        sum += select(0.0, grad_output[at] * weight[(taps + ky) * KERNEL_W + kx], hit);
      }
    }
  }
  grad_input[i] = sum;
}

// dL/dweight[co, cg, ky, kx] = Σ over (n, oy, ox) of grad_output[n, co, oy, ox] · input at the tap.
@compute @workgroup_size(WORKGROUP_SIZE)
fn weight_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat_index(gid, groups);
  let in_per_group = p.in_channels / GROUPS;
  if (i >= p.out_channels * in_per_group * KERNEL_H * KERNEL_W) { return; }
  let kx = i % KERNEL_W;
  let ky = (i / KERNEL_W) % KERNEL_H;
  let cg = (i / (KERNEL_W * KERNEL_H)) % in_per_group;
  let co = i / (KERNEL_W * KERNEL_H * in_per_group);
  let ci = (co / (p.out_channels / GROUPS)) * in_per_group + cg;
  var sum = 0.0;
  for (var n = 0u; n < p.batch; n++) {
    let g_plane = (n * p.out_channels + co) * p.out_h;
    let x_plane = (n * p.in_channels + ci) * p.in_h;
    for (var oy = 0u; oy < p.out_h; oy++) {
      let iy = tap_y(oy, ky);
      let row_inside = (iy >= 0) & (iy < i32(p.in_h));
      let x_row = (x_plane + u32(clamp(iy, 0, i32(p.in_h) - 1))) * p.in_w;
      let g_row = (g_plane + oy) * p.out_w;
      for (var ox = 0u; ox < p.out_w; ox++) {
        let ix = tap_x(ox, kx);
        let inside = row_inside & (ix >= 0) & (ix < i32(p.in_w));
        sum += select(0.0, grad_output[g_row + ox] * input[x_row + u32(clamp(ix, 0, i32(p.in_w) - 1))], inside);
      }
    }
  }
  grad_weight[i] = sum;
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
