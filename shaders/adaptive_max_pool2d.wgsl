// Adaptive 2-D max pooling over [N, C, H, W], as PyTorch's nn.AdaptiveMaxPool2d: output index i of O
// covers the input rows [floor(i·I/O), ceil((i+1)·I/O)) of I, so windows may differ in size and overlap,
// and an output larger than the input repeats rows. The forward pass remembers which input element won
// (the first maximum in row-major window order, as PyTorch's), and the backward pass routes the gradient to it.
// #include adaptive_windows.wgsl

struct Params { planes: u32, in_h: u32, in_w: u32, out_h: u32, out_w: u32 }

override WORKGROUP_SIZE: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read_write> argmax: array<u32>;
@group(0) @binding(4) var<storage, read> grad_output: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad_input: array<f32>;

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
  let x0 = window_start(ox, p.in_w, p.out_w);
  let x1 = window_end(ox, p.in_w, p.out_w);
  let in_plane = plane * p.in_h * p.in_w;
  // Every adaptive window holds at least one element: start with its first.
  var best_at = window_start(oy, p.in_h, p.out_h) * p.in_w + x0;
  var best = input[in_plane + best_at];
  for (var iy = window_start(oy, p.in_h, p.out_h); iy < window_end(oy, p.in_h, p.out_h); iy++) {
    for (var ix = x0; ix < x1; ix++) {
      let at = iy * p.in_w + ix;
      let value = input[in_plane + at];
      if (value > best) {
        best = value;
        best_at = at;
      }
    }
  }
  output[index] = best;
  argmax[index] = best_at;
}

// One invocation per input element gathers from every window that covers it (the outputs
// [floor(iy·O/I), ceil((iy+1)·O/I)): the window formula with I and O exchanged), so overlapping
// windows need no atomics.
@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.planes * p.in_h * p.in_w) { return; }
  let at = index % (p.in_h * p.in_w);
  let ix = at % p.in_w;
  let iy = at / p.in_w;
  let plane = index / (p.in_h * p.in_w);
  let out_plane = plane * p.out_h * p.out_w;
  var sum = 0.0;
  for (var oy = window_start(iy, p.out_h, p.in_h); oy < window_end(iy, p.out_h, p.in_h); oy++) {
    for (var ox = window_start(ix, p.out_w, p.in_w); ox < window_end(ix, p.out_w, p.in_w); ox++) {
      let o = out_plane + oy * p.out_w + ox;
      if (argmax[o] == at) { sum += grad_output[o]; }
    }
  }
  grad_input[index] = sum;
}
