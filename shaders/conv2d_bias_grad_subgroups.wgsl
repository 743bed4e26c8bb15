// Conv2d's bias gradient, grad_bias[co] = Σ over the batch and the output plane of grad_output, with one
// workgroup of REDUCE invocations per output channel summing within subgroups first (subgroup_sum.wgsl,
// which says how the order of the additions stays fixed): compiled only where the adapter has the
// `subgroups` feature, and there a variant beside conv2d.wgsl's bias_grad (one invocation per channel
// summing alone) for the autotuner (src/layers/conv2d.ts).
enable subgroups;
// #include subgroup_sum.wgsl

// conv2d.wgsl's uniforms (only the output's shape is read).
struct Params {
  batch: u32, in_channels: u32, in_h: u32, in_w: u32,
  out_channels: u32, out_h: u32, out_w: u32,
}

// Each invocation sums every REDUCE-th value of its channel.
const REDUCE: u32 = 64u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad_output: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad_bias: array<f32>;

// Workgroups along y are output channels.
@compute @workgroup_size(REDUCE)
fn bias_grad(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) group: vec3u) {
  let co = group.y;
  let lid = local.x;
  let plane = p.out_h * p.out_w;
  let m = p.batch * plane;
  var sum = 0.0;
  for (var j = lid; j < m; j += REDUCE) { sum += grad_output[((j / plane) * p.out_channels + co) * plane + j % plane]; }
  let total = workgroup_sum(lid, vec2f(sum, 0.0)).x;
  if (lid == 0u) { grad_bias[co] = total; }
}
