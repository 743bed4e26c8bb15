// 2-D max pooling over [N, C, H, W]. The forward pass remembers, per output, which input element won
// (the first maximum in row-major window order, as PyTorch does), and the backward pass routes the
// gradient to it. Padding counts as −∞, as in PyTorch. Window element k sits DILATION·k from the
// window's start; in ceil mode the last window may overhang the right padding, and its overhang is skipped.

struct Params { planes: u32, in_h: u32, in_w: u32, out_h: u32, out_w: u32 }

// The window's geometry is compiled in (one pipeline per layer shape) so loops unroll and divisions fold.
override KERNEL_H: u32 = 2;
override KERNEL_W: u32 = 2;
override STRIDE_H: u32 = 2;
override STRIDE_W: u32 = 2;
override PAD_H: u32 = 0;
override PAD_W: u32 = 0;
override DILATION_H: u32 = 1;
override DILATION_W: u32 = 1;

override WORKGROUP_SIZE: u32 = 64;
// When the pooled input is a ReLU's output, the ReLU's backward mask (input > 0) is applied here
// instead of in a dispatch of its own.
override MASK_NONPOSITIVE_INPUT: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read_write> argmax: array<u32>;
@group(0) @binding(4) var<storage, read> grad_output: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad_input: array<f32>;

fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.z * groups.x * WORKGROUP_SIZE;
}

fn ceil_div(a: i32, b: i32) -> i32 {
  return select(-((-a) / b), (a + b - 1) / b, a > 0);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.planes * p.out_h * p.out_w) { return; }
  let ox = index % p.out_w;
  let oy = (index / p.out_w) % p.out_h;
  let plane = index / (p.out_w * p.out_h);
  let y0 = i32(oy * STRIDE_H) - i32(PAD_H);
  let x0 = i32(ox * STRIDE_W) - i32(PAD_W);
  let in_plane = plane * p.in_h * p.in_w;

  var best = 0.0;
  var best_at = 0xffffffffu;
  for (var ky = 0u; ky < KERNEL_H; ky++) {
    let iy = y0 + i32(ky * DILATION_H);
    if (iy < 0 || iy >= i32(p.in_h)) { continue; }
    for (var kx = 0u; kx < KERNEL_W; kx++) {
      let ix = x0 + i32(kx * DILATION_W);
      if (ix < 0 || ix >= i32(p.in_w)) { continue; }
      let at = u32(iy) * p.in_w + u32(ix);
      let value = input[in_plane + at];
      if (best_at == 0xffffffffu || value > best) {
        best = value;
        best_at = at;
      }
    }
  }
  output[index] = best;
  argmax[index] = best_at;
}

// One invocation per input element gathers from every window that covers it, so overlapping
// windows (stride < kernel) need no atomics.
@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.planes * p.in_h * p.in_w) { return; }
  let at = index % (p.in_h * p.in_w);
  let ix = at % p.in_w;
  let iy = at / p.in_w;
  let plane = index / (p.in_h * p.in_w);

  var sum = 0.0;
  if (!MASK_NONPOSITIVE_INPUT || input[index] > 0.0) {
    let out_plane = plane * p.out_h * p.out_w;
    if (STRIDE_H >= KERNEL_H && STRIDE_W >= KERNEL_W && DILATION_H == 1u && DILATION_W == 1u) {
      // Windows that do not overlap (the usual 2×2, stride 2): at most one covers this element, found
      // without a loop (on SwiftShader the loops made this pass 3× slower than the forward one).
      let ty = iy + PAD_H;
      let tx = ix + PAD_W;
      let oy = ty / STRIDE_H;
      let ox = tx / STRIDE_W;
      let covered = (ty - oy * STRIDE_H < KERNEL_H) & (tx - ox * STRIDE_W < KERNEL_W) & (oy < p.out_h) & (ox < p.out_w);
      let o = out_plane + min(oy, p.out_h - 1u) * p.out_w + min(ox, p.out_w - 1u);
      sum = select(0.0, grad_output[o], covered & (argmax[o] == at));
    } else {
      // The windows whose span (DILATION·(KERNEL − 1) + 1) reaches this element; the winner's index
      // alone says whether the element was one of a dilated window's taps.
      let ty = i32(iy + PAD_H);
      let tx = i32(ix + PAD_W);
      let oy_begin = max(0, ceil_div(ty - i32(DILATION_H * (KERNEL_H - 1u)), i32(STRIDE_H)));
      let oy_end = min(i32(p.out_h) - 1, ty / i32(STRIDE_H));
      let ox_begin = max(0, ceil_div(tx - i32(DILATION_W * (KERNEL_W - 1u)), i32(STRIDE_W)));
      let ox_end = min(i32(p.out_w) - 1, tx / i32(STRIDE_W));
      for (var oy = oy_begin; oy <= oy_end; oy++) {
        for (var ox = ox_begin; ox <= ox_end; ox++) {
          let o = out_plane + u32(oy) * p.out_w + u32(ox);
          if (argmax[o] == at) { sum += grad_output[o]; }
        }
      }
    }
  }
  grad_input[index] = sum;
}
