// 2-D max pooling over [N, C, H, W]. The forward pass remembers, per output, which input element won
// (the first maximum in row-major window order, as PyTorch does), and the backward pass routes the
// gradient to it. Padding counts as −∞, as in PyTorch. Window element k sits DILATION·k from the
// window's start; in ceil mode the last window may overhang the right padding, and its overhang is skipped.

struct Params { planes: u32 }

// The plane sizes and the window's geometry are compiled in (one pipeline per layer shape) so loops
// unroll and divisions fold: on SwiftShader a division by a uniform is a loop of its own.
override IN_H: u32 = 28;
override IN_W: u32 = 28;
override OUT_H: u32 = 14;
override OUT_W: u32 = 14;
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
  if (index >= p.planes * OUT_H * OUT_W) { return; }
  let ox = index % OUT_W;
  let oy = (index / OUT_W) % OUT_H;
  let plane = index / (OUT_W * OUT_H);
  let y0 = i32(oy * STRIDE_H) - i32(PAD_H);
  let x0 = i32(ox * STRIDE_W) - i32(PAD_W);
  let in_plane = plane * IN_H * IN_W;

  var best = 0.0;
  var best_at = 0xffffffffu;
  for (var ky = 0u; ky < KERNEL_H; ky++) {
    let iy = y0 + i32(ky * DILATION_H);
    if (iy < 0 || iy >= i32(IN_H)) { continue; }
    for (var kx = 0u; kx < KERNEL_W; kx++) {
      let ix = x0 + i32(kx * DILATION_W);
      if (ix < 0 || ix >= i32(IN_W)) { continue; }
      let at = u32(iy) * IN_W + u32(ix);
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

// The forward pass where the windows tile the input exactly (see backward_windows): every tap is inside,
// so no bounds tests or skipped taps, whose branches cost SwiftShader more than the loads.
@compute @workgroup_size(WORKGROUP_SIZE)
fn forward_windows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.planes * OUT_H * OUT_W) { return; }
  let ox = index % OUT_W;
  let oy = (index / OUT_W) % OUT_H;
  let in_plane = (index / (OUT_W * OUT_H)) * IN_H * IN_W;
  let first = oy * KERNEL_H * IN_W + ox * KERNEL_W;
  var best = input[in_plane + first];
  var best_at = first;
  for (var ky = 0u; ky < KERNEL_H; ky++) {
    for (var kx = 0u; kx < KERNEL_W; kx++) {
      let at = first + ky * IN_W + kx;
      let value = input[in_plane + at];
      // Strictly greater: the first maximum in row-major order wins, as in forward.
      let better = value > best;
      best = select(best, value, better);
      best_at = select(best_at, at, better);
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
  if (index >= p.planes * IN_H * IN_W) { return; }
  let at = index % (IN_H * IN_W);
  let ix = at % IN_W;
  let iy = at / IN_W;
  let plane = index / (IN_H * IN_W);

  var sum = 0.0;
  if (!MASK_NONPOSITIVE_INPUT || input[index] > 0.0) {
    let out_plane = plane * OUT_H * OUT_W;
    if (STRIDE_H >= KERNEL_H && STRIDE_W >= KERNEL_W && DILATION_H == 1u && DILATION_W == 1u) {
      // Windows that do not overlap: at most one covers this element, found without a loop (on
      // SwiftShader the loops made this pass 3× slower than the forward one).
      let ty = iy + PAD_H;
      let tx = ix + PAD_W;
      let oy = ty / STRIDE_H;
      let ox = tx / STRIDE_W;
      let covered = (ty - oy * STRIDE_H < KERNEL_H) & (tx - ox * STRIDE_W < KERNEL_W) & (oy < OUT_H) & (ox < OUT_W);
      let o = out_plane + min(oy, OUT_H - 1u) * OUT_W + min(ox, OUT_W - 1u);
      sum = select(0.0, grad_output[o], covered & (argmax[o] == at));
    } else {
      // The windows whose span (DILATION·(KERNEL − 1) + 1) reaches this element; the winner's index
      // alone says whether the element was one of a dilated window's taps.
      let ty = i32(iy + PAD_H);
      let tx = i32(ix + PAD_W);
      let oy_begin = max(0, ceil_div(ty - i32(DILATION_H * (KERNEL_H - 1u)), i32(STRIDE_H)));
      let oy_end = min(i32(OUT_H) - 1, ty / i32(STRIDE_H));
      let ox_begin = max(0, ceil_div(tx - i32(DILATION_W * (KERNEL_W - 1u)), i32(STRIDE_W)));
      let ox_end = min(i32(OUT_W) - 1, tx / i32(STRIDE_W));
      for (var oy = oy_begin; oy <= oy_end; oy++) {
        for (var ox = ox_begin; ox <= ox_end; ox++) {
          let o = out_plane + u32(oy) * OUT_W + u32(ox);
          if (argmax[o] == at) { sum += grad_output[o]; }
        }
      }
    }
  }
  grad_input[index] = sum;
}

// The backward pass where the windows tile the input exactly (kernel = stride, no padding or dilation,
// sizes divisible: the usual 2×2, stride 2): one invocation per window writes its whole window, the
// gradient at the winner and zeros elsewhere, from one read of argmax and grad_output instead of one per
// input element. The values are backward's, bit for bit.
@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_windows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.planes * OUT_H * OUT_W) { return; }
  let ox = index % OUT_W;
  let oy = (index / OUT_W) % OUT_H;
  let plane = index / (OUT_W * OUT_H);
  let in_plane = plane * IN_H * IN_W;
  let best_at = argmax[index];
  var g = grad_output[index];
  if (MASK_NONPOSITIVE_INPUT && !(input[in_plane + best_at] > 0.0)) { g = 0.0; }
  for (var ky = 0u; ky < KERNEL_H; ky++) {
    for (var kx = 0u; kx < KERNEL_W; kx++) {
      let at = (oy * KERNEL_H + ky) * IN_W + ox * KERNEL_W + kx;
      grad_input[in_plane + at] = select(0.0, g, at == best_at);
    }
  }
}
