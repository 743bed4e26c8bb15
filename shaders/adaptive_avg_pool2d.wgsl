// Adaptive 2-D average pooling over [N, C, H, W], as PyTorch's nn.AdaptiveAvgPool2d: output index i of
// O covers the input rows [floor(i·I/O), ceil((i+1)·I/O)) of I, so windows may differ in size and,
// when O does not divide I, overlap. A 1×1 output is global average pooling: one invocation per plane.
// #include adaptive_windows.wgsl

struct Params { planes: u32, in_h: u32, in_w: u32, out_h: u32, out_w: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> grad_output: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_input: array<f32>;

fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.z * groups.x * WORKGROUP_SIZE;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.planes * p.out_h * p.out_w) { return; }
  let ox = index % p.out_w;
  let oy = (index / p.out_w) % p.out_h;
  let plane = index / (p.out_w * p.out_h);
  let y0 = window_start(oy, p.in_h, p.out_h);
  let y1 = window_end(oy, p.in_h, p.out_h);
  let x0 = window_start(ox, p.in_w, p.out_w);
  let x1 = window_end(ox, p.in_w, p.out_w);
  let in_plane = plane * p.in_h * p.in_w;
  var sum = 0.0;
  for (var iy = y0; iy < y1; iy++) {
    for (var ix = x0; ix < x1; ix++) {
      sum += input[in_plane + iy * p.in_w + ix];
    }
  }
  output[index] = sum / f32((y1 - y0) * (x1 - x0));
}

// One invocation per input element gathers the share of every window that covers it, so overlapping
// windows need no atomics and the sum's order is fixed. The windows covering input row iy are the
// outputs [floor(iy·O/I), ceil((iy+1)·O/I)): the window formula with I and O exchanged.
@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.planes * p.in_h * p.in_w) { return; }
  let ix = index % p.in_w;
  let iy = (index / p.in_w) % p.in_h;
  let plane = index / (p.in_w * p.in_h);
  let oy0 = window_start(iy, p.out_h, p.in_h);
  let oy1 = window_end(iy, p.out_h, p.in_h);
  let ox0 = window_start(ix, p.out_w, p.in_w);
  let ox1 = window_end(ix, p.out_w, p.in_w);
  let out_plane = plane * p.out_h * p.out_w;
  var sum = 0.0;
  for (var oy = oy0; oy < oy1; oy++) {
    let rows = window_end(oy, p.in_h, p.out_h) - window_start(oy, p.in_h, p.out_h);
    for (var ox = ox0; ox < ox1; ox++) {
      let cols = window_end(ox, p.in_w, p.out_w) - window_start(ox, p.in_w, p.out_w);
      sum += grad_output[out_plane + oy * p.out_w + ox] / f32(rows * cols);
    }
  }
  grad_input[index] = sum;
}
