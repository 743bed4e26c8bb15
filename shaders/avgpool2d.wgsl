// 2-D average pooling over [N, C, H, W], as PyTorch's avg_pool2d. Each window sums the input it covers;
// its divisor is the window clipped to the padded input (COUNT_INCLUDE_PAD, PyTorch's default), the
// window clipped to the input (without), or DIVISOR_OVERRIDE when that is not 0.

struct Params { planes: u32, in_h: u32, in_w: u32, out_h: u32, out_w: u32 }

// The window's geometry is compiled in (one pipeline per layer shape) so loops unroll and divisions fold.
override KERNEL_H: u32 = 2;
override KERNEL_W: u32 = 2;
override STRIDE_H: u32 = 2;
override STRIDE_W: u32 = 2;
override PAD_H: u32 = 0;
override PAD_W: u32 = 0;
override COUNT_INCLUDE_PAD: bool = true;
override DIVISOR_OVERRIDE: i32 = 0;

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> grad_output: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_input: array<f32>;

fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.z * groups.x * WORKGROUP_SIZE;
}

fn ceil_div(a: i32, b: i32) -> i32 {
  return select(-((-a) / b), (a + b - 1) / b, a > 0);
}

/** A window's rows (or columns) [begin, end) inside the input, and its length inside the padded input. */
struct Span { begin: i32, end: i32, padded: i32 }

fn span(o: u32, size: u32, kernel: u32, stride: u32, pad: u32) -> Span {
  let start = i32(o * stride) - i32(pad);
  let end = min(start + i32(kernel), i32(size + pad));
  return Span(max(start, 0), min(end, i32(size)), end - start);
}

fn divisor(rows: Span, cols: Span) -> f32 {
  if (DIVISOR_OVERRIDE != 0) { return f32(DIVISOR_OVERRIDE); }
  if (COUNT_INCLUDE_PAD) { return f32(rows.padded * cols.padded); }
  return f32((rows.end - rows.begin) * (cols.end - cols.begin));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.planes * p.out_h * p.out_w) { return; }
  let ox = index % p.out_w;
  let oy = (index / p.out_w) % p.out_h;
  let plane = index / (p.out_w * p.out_h);
  let rows = span(oy, p.in_h, KERNEL_H, STRIDE_H, PAD_H);
  let cols = span(ox, p.in_w, KERNEL_W, STRIDE_W, PAD_W);
  let in_plane = plane * p.in_h * p.in_w;
  var sum = 0.0;
  for (var iy = rows.begin; iy < rows.end; iy++) {
    for (var ix = cols.begin; ix < cols.end; ix++) {
      sum += input[in_plane + u32(iy) * p.in_w + u32(ix)];
    }
  }
  output[index] = sum / divisor(rows, cols);
}

// One invocation per input element gathers the share of every window that covers it, so overlapping
// windows (stride < kernel) need no atomics and the sum's order is fixed.
@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.planes * p.in_h * p.in_w) { return; }
  let ix = index % p.in_w;
  let iy = (index / p.in_w) % p.in_h;
  let plane = index / (p.in_h * p.in_w);
  let ty = i32(iy + PAD_H);
  let tx = i32(ix + PAD_W);
  let oy_begin = max(0, ceil_div(ty - i32(KERNEL_H) + 1, i32(STRIDE_H)));
  let oy_end = min(i32(p.out_h) - 1, ty / i32(STRIDE_H));
  let ox_begin = max(0, ceil_div(tx - i32(KERNEL_W) + 1, i32(STRIDE_W)));
  let ox_end = min(i32(p.out_w) - 1, tx / i32(STRIDE_W));
  let out_plane = plane * p.out_h * p.out_w;
  var sum = 0.0;
  for (var oy = oy_begin; oy <= oy_end; oy++) {
    let rows = span(u32(oy), p.in_h, KERNEL_H, STRIDE_H, PAD_H);
    for (var ox = ox_begin; ox <= ox_end; ox++) {
      let cols = span(u32(ox), p.in_w, KERNEL_W, STRIDE_W, PAD_W);
      sum += grad_output[out_plane + u32(oy) * p.out_w + u32(ox)] / divisor(rows, cols);
    }
  }
  grad_input[index] = sum;
}
