// 2-D convolution, backward. Each gradient element is owned by one invocation that sums its
// whole contribution, so there are no atomics and the result is the same on every run.
// grad_output is the gradient of the convolution's pre-activation output [N, Co, Ho, Wo].

struct Params {
  batch: u32, in_channels: u32, in_h: u32, in_w: u32,
  out_channels: u32, out_h: u32, out_w: u32,
  kernel_h: u32, kernel_w: u32, stride_h: u32, stride_w: u32, pad_h: u32, pad_w: u32,
}

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad_output: array<f32>;
@group(0) @binding(2) var<storage, read> input: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_input: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad_weight: array<f32>;
@group(0) @binding(6) var<storage, read_write> grad_bias: array<f32>;

fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WORKGROUP_SIZE;
}

// Ceiling division of a possibly negative numerator by a positive stride.
fn ceil_div(a: i32, b: i32) -> i32 {
  return select(-((-a) / b), (a + b - 1) / b, a > 0);
}

// dL/dinput[n, ci, iy, ix] = Σ over (co, ky, kx) with oy·s − pad + ky = iy of grad_output · weight.
@compute @workgroup_size(WORKGROUP_SIZE)
fn input_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.batch * p.in_channels * p.in_h * p.in_w) { return; }
  let ix = index % p.in_w;
  let iy = (index / p.in_w) % p.in_h;
  let ci = (index / (p.in_w * p.in_h)) % p.in_channels;
  let n = index / (p.in_w * p.in_h * p.in_channels);

  // Output rows whose window covers iy: oy·sh ∈ [iy + pad − (kh − 1), iy + pad].
  let ty = i32(iy + p.pad_h);
  let tx = i32(ix + p.pad_w);
  let oy_begin = max(0, ceil_div(ty - i32(p.kernel_h) + 1, i32(p.stride_h)));
  let oy_end = min(i32(p.out_h) - 1, ty / i32(p.stride_h));
  let ox_begin = max(0, ceil_div(tx - i32(p.kernel_w) + 1, i32(p.stride_w)));
  let ox_end = min(i32(p.out_w) - 1, tx / i32(p.stride_w));

  var sum = 0.0;
  for (var co = 0u; co < p.out_channels; co++) {
    let g_plane = (n * p.out_channels + co) * p.out_h * p.out_w;
    let w_plane = (co * p.in_channels + ci) * p.kernel_h * p.kernel_w;
    for (var oy = oy_begin; oy <= oy_end; oy++) {
      let ky = u32(ty - oy * i32(p.stride_h));
      for (var ox = ox_begin; ox <= ox_end; ox++) {
        let kx = u32(tx - ox * i32(p.stride_w));
        sum += grad_output[g_plane + u32(oy) * p.out_w + u32(ox)] * weight[w_plane + ky * p.kernel_w + kx];
      }
    }
  }
  grad_input[index] = sum;
}

// dL/dweight[co, ci, ky, kx] = Σ over (n, oy, ox) of grad_output · input at the tap's position.
@compute @workgroup_size(WORKGROUP_SIZE)
fn weight_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.out_channels * p.in_channels * p.kernel_h * p.kernel_w) { return; }
  let kx = index % p.kernel_w;
  let ky = (index / p.kernel_w) % p.kernel_h;
  let ci = (index / (p.kernel_w * p.kernel_h)) % p.in_channels;
  let co = index / (p.kernel_w * p.kernel_h * p.in_channels);

  // Output positions whose tap (ky, kx) lands inside the input: 0 ≤ oy·sh − pad + ky < H.
  let dy = i32(ky) - i32(p.pad_h);
  let dx = i32(kx) - i32(p.pad_w);
  let oy_begin = u32(max(0, ceil_div(-dy, i32(p.stride_h))));
  let oy_end = u32(clamp(ceil_div(i32(p.in_h) - dy, i32(p.stride_h)), 0, i32(p.out_h)));
  let ox_begin = u32(max(0, ceil_div(-dx, i32(p.stride_w))));
  let ox_end = u32(clamp(ceil_div(i32(p.in_w) - dx, i32(p.stride_w)), 0, i32(p.out_w)));

  var sum = 0.0;
  for (var n = 0u; n < p.batch; n++) {
    let g_plane = (n * p.out_channels + co) * p.out_h * p.out_w;
    let in_plane = (n * p.in_channels + ci) * p.in_h * p.in_w;
    for (var oy = oy_begin; oy < oy_end; oy++) {
      let in_row = in_plane + u32(i32(oy * p.stride_h) + dy) * p.in_w;
      let g_row = g_plane + oy * p.out_w;
      for (var ox = ox_begin; ox < ox_end; ox++) {
        sum += grad_output[g_row + ox] * input[in_row + u32(i32(ox * p.stride_w) + dx)];
      }
    }
  }
  grad_weight[index] = sum;
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
