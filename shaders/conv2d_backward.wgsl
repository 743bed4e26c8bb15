// 2-D convolution, backward. Each gradient element is owned by one invocation that sums its
// whole contribution, so there are no atomics and the result is the same on every run.
// grad_output is the gradient of the convolution's pre-activation output [N, Co, Ho, Wo].

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

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad_output: array<f32>;
@group(0) @binding(2) var<storage, read> input: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_input: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad_weight: array<f32>;
@group(0) @binding(6) var<storage, read_write> grad_bias: array<f32>;

fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.z * groups.x * WORKGROUP_SIZE;
}

// dL/dinput[n, ci, iy, ix] = Σ over (co, ky, kx) with oy·sh − pad + ky = iy of grad_output · weight.
// Blocked like the forward pass: 4 neighbouring input pixels of a row × 4 input channels per invocation,
// the channel block uniform per workgroup (y) so weight loads are shared by the whole workgroup.
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

  var acc = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
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
        for (var j = 0u; j < 4u; j++) {
          let sx = tx0 + i32(j) - i32(kx);
          let ox = sx / i32(STRIDE_W);
          let hit = row_hit && sx >= 0 && ox * i32(STRIDE_W) == sx && ox < i32(p.out_w);
          acc[j] += select(0.0, grad_output[row + u32(clamp(ox, 0, i32(p.out_w) - 1))], hit) * w;
        }
      }
    }
  }

  let in_plane = p.in_h * p.in_w;
  for (var j = 0u; j < 4u; j++) {
    if (ix0 + j >= p.in_w) { break; }
    for (var t = 0u; t < 4u; t++) {
      if (ci0 + t < p.in_channels) { grad_input[(n * p.in_channels + ci0 + t) * in_plane + iy * p.in_w + ix0 + j] = acc[j][t]; }
    }
  }
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

  var plane: array<u32, 4>;
  var dy: array<i32, 4>;
  var dx: array<i32, 4>;
  var acc: array<vec4f, 4>;
  for (var j = 0u; j < 4u; j++) {
    let k = min(tile * 4u + j, weights_per_co - 1u);
    let r = k % taps;
    plane[j] = (k / taps) * in_plane;
    dy[j] = i32(r / KERNEL_W) - i32(PAD_H);
    dx[j] = i32(r % KERNEL_W) - i32(PAD_W);
    acc[j] = vec4f(0.0);
  }

  for (var n = 0u; n < p.batch; n++) {
    let g_batch = n * p.out_channels * out_plane;
    let x_batch = n * p.in_channels * in_plane;
    for (var oy = 0u; oy < p.out_h; oy++) {
      var row: array<u32, 4>;
      var row_inside: array<bool, 4>;
      for (var j = 0u; j < 4u; j++) {
        let iy = i32(oy * STRIDE_H) + dy[j];
        row_inside[j] = iy >= 0 && iy < i32(p.in_h);
        row[j] = x_batch + plane[j] + u32(clamp(iy, 0, i32(p.in_h) - 1)) * p.in_w;
      }
      for (var ox = 0u; ox < p.out_w; ox++) {
        let o = g_batch + oy * p.out_w + ox;
        let g = vec4f(grad_output[o + g0], grad_output[o + g1], grad_output[o + g2], grad_output[o + g3]);
        for (var j = 0u; j < 4u; j++) {
          let ix = i32(ox * STRIDE_W) + dx[j];
          let inside = row_inside[j] && ix >= 0 && ix < i32(p.in_w);
          acc[j] += select(0.0, input[row[j] + u32(clamp(ix, 0, i32(p.in_w) - 1))], inside) * g;
        }
      }
    }
  }

  for (var j = 0u; j < 4u; j++) {
    let k = tile * 4u + j;
    if (k >= weights_per_co) { break; }
    for (var t = 0u; t < 4u; t++) {
      if (co0 + t < p.out_channels) { grad_weight[(co0 + t) * weights_per_co + k] = acc[j][t]; }
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
