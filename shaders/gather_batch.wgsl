// Builds a training batch on the GPU from a dataset uploaded once: sample indices come from an index
// list (shuffled by the host once per epoch) from a cursor (a sample position) that advances on the GPU, so a step uploads
// nothing. Samples are stored either as bytes (4 to a u32, scaled to floats here) or as f32 bits.
//
// Normalisation (NORMALIZE), as torchvision's Normalize after ToTensor: bytes are looked up in a table of
// 256 f32 values per channel made on the host (src/data/normalize.ts states its exact f32 arithmetic);
// floats become (value × scale − mean[c]) / std[c].
//
// Augmentation (the `draw_transforms` then `augmented_values` entry points, in place of `values`), in the
// order of the torchvision pipeline RandomAffine → RandomCrop(padding) → RandomHorizontalFlip → ToTensor →
// Normalize, by inverse mapping: output pixel (y, x) of sample n
//   1. flip: x ← W − 1 − x when the sample's flip is drawn;
//   2. crop: (ya, xa) = (y + i − pad, x + j − pad), with offsets i, j drawn in [0, 2 · pad]; outside the
//      image that is the zero padding;
//   3. affine, about the image centre, with pixel centres at integer + 0.5 (torchvision's affine grid, and
//      grid_sample with align_corners=False): the point d = (xa + 0.5 − W/2 − tx, ya + 0.5 − H/2 − ty)
//      comes from the source point R(−θ) d / s, read bilinearly, neighbours outside the image being 0
//      (grid_sample's padding_mode='zeros'; torchvision's tensor path further multiplies by an
//      interpolated mask there). θ > 0 turns the picture counter-clockwise as displayed, as F.rotate.
// Zero is the padding and fill value before normalisation (a black pixel, as fill=0 on a PIL image);
// normalisation is affine per channel, so blending normalised neighbours (with the normalised zero as
// fill) gives the normalised blend.
//
// The draws: Philox-4x32-10 keyed by (seed, step) from the training clock, as Dropout's; counters
// (n, 0, 1, 0) and (n, 0, 2, 0) for sample position n in the batch (Dropout's counters end in 0, 0, so the
// streams never meet). Words: (i, j, flip, θ) and (s, tx, ty, unused); see draw_transforms().

// #include philox.wgsl

struct Params {
  batch: u32,
  sample_size: u32,
  scale: f32,
  // Values per channel (sample_size / channels) and the image's height and width.
  plane: u32,
  height: u32,
  width: u32,
  // The augmentation's ranges: padding in pixels, flip (0 or 1), degrees, zoom (s in 1 ± zoom), and the
  // largest shifts in pixels (translate · W, translate · H).
  pad: u32,
  flip: u32,
  degrees: f32,
  zoom: f32,
  max_dx: f32,
  max_dy: f32,
}
struct Clock { step: u32, seed: u32 }
// Where output pixels come from in sample n: inverse rotation and zoom (row-major 2 × 2), the shift,
// the crop's offset minus the padding, and whether to flip.
struct Transform { inverse: vec4f, shift: vec2f, crop: vec2i, flip: u32 }

override WORKGROUP_SIZE: u32 = 64;
override BYTES_PER_VALUE: u32 = 1;
override NORMALIZE: bool = false;
// False when only crop and flip are drawn: every output pixel is one source pixel, copied.
override AFFINE: bool = true;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> samples: array<u32>;
@group(0) @binding(2) var<storage, read> sample_labels: array<u32>;
@group(0) @binding(3) var<storage, read> order: array<u32>;
@group(0) @binding(4) var<storage, read_write> cursor: u32;
@group(0) @binding(5) var<storage, read_write> batch_values: array<f32>;
@group(0) @binding(6) var<storage, read_write> batch_labels: array<u32>;
// Bytes: [channels × 256] values per byte; floats: (mean, std) per channel.
@group(0) @binding(7) var<storage, read> normalization: array<f32>;
@group(0) @binding(8) var<storage, read> clock: Clock;
@group(0) @binding(9) var<storage, read_write> transforms: array<Transform>;

// Value k of the dataset, of channel c, scaled and normalised.
fn read_value(k: u32, c: u32) -> f32 {
  if (BYTES_PER_VALUE == 4u) {
    let value = bitcast<f32>(samples[k]) * p.scale;
    if (NORMALIZE) { return (value - normalization[2u * c]) / normalization[2u * c + 1u]; }
    return value;
  }
  let byte = (samples[k / 4u] >> ((k % 4u) * 8u)) & 0xffu;
  if (NORMALIZE) { return normalization[c * 256u + byte]; }
  return f32(byte) * p.scale;
}

// What a zero (padding, fill) becomes in channel c.
fn zero_value(c: u32) -> f32 {
  if (!NORMALIZE) { return 0.0; }
  if (BYTES_PER_VALUE == 4u) { return (0.0 - normalization[2u * c]) / normalization[2u * c + 1u]; }
  return normalization[c * 256u];
}

fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.z * groups.x * WORKGROUP_SIZE;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn values(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.batch * p.sample_size) { return; }
  let n = index / p.sample_size;
  let within = index % p.sample_size;
  let sample = order[cursor + n];
  batch_values[index] = read_value(sample * p.sample_size + within, within / p.plane);
}

// A draw's top 24 bits as a number uniform in [−1, 1) (exact in f32).
fn signed_unit(word: u32) -> f32 {
  return f32(i32(word >> 8u) - 8388608) * (1.0 / 8388608.0);
}

// An integer uniform in [0, n) from a draw (the high word of word · n).
fn below(word: u32, n: u32) -> u32 {
  return mul_hi(word, n);
}

// (cos, sin) of an angle in degrees, |angle| ≤ 180, to about 1e-7: WGSL lets sin and cos be off by 2⁻¹¹
// (SwiftShader's are, which moves a rotated pixel by 1e-4 of its neighbour), so they are computed here,
// the same on every adapter: the nearest quarter turn k, then Taylor series of the rest (|r| ≤ π/4,
// truncation under 3e-8). An angle of 0 gives exactly (1, 0).
fn cos_sin_degrees(angle: f32) -> vec2f {
  let k = round(angle / 90.0);
  let r = (angle - k * 90.0) * 0.017453292519943295;
  let r2 = r * r;
  let s = r * (1.0 - r2 / 6.0 * (1.0 - r2 / 20.0 * (1.0 - r2 / 42.0 * (1.0 - r2 / 72.0))));
  let c = 1.0 - r2 / 2.0 * (1.0 - r2 / 12.0 * (1.0 - r2 / 30.0 * (1.0 - r2 / 56.0)));
  // cos and sin of r + k · 90°.
  switch (i32(k)) {
    case 1: { return vec2f(-s, c); }
    case -1: { return vec2f(s, -c); }
    case 2, -2: { return vec2f(-c, -s); }
    default: { return vec2f(c, s); }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn draw_transforms(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= p.batch) { return; }
  let key = vec2u(clock.seed, clock.step);
  let a = philox4x32_10(vec4u(n, 0u, 1u, 0u), key);
  let b = philox4x32_10(vec4u(n, 0u, 2u, 0u), key);
  let turn = cos_sin_degrees(signed_unit(a.w) * p.degrees);
  let zoom = 1.0 + signed_unit(b.x) * p.zoom;
  // Python's round, as RandomAffine rounds its shift: halves to even, as WGSL's round.
  let shift = vec2f(round(signed_unit(b.y) * p.max_dx), round(signed_unit(b.z) * p.max_dy));
  let span = 2u * p.pad + 1u;
  let crop = vec2i(i32(below(a.y, span)), i32(below(a.x, span))) - i32(p.pad);
  let inverse = vec4f(turn.x, -turn.y, turn.y, turn.x) / zoom;
  transforms[n] = Transform(inverse, shift, crop, select(0u, a.z >> 31u, p.flip != 0u));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn augmented_values(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= p.batch * p.sample_size) { return; }
  let n = index / p.sample_size;
  let within = index % p.sample_size;
  let c = within / p.plane;
  let y = (within % p.plane) / p.width;
  let x = within % p.width;
  let t = transforms[n];
  let size = vec2i(i32(p.width), i32(p.height));
  let flipped = select(x, p.width - 1u - x, t.flip == 1u);
  let at = vec2i(i32(flipped), i32(y)) + t.crop;
  let zero = zero_value(c);
  if (any(at < vec2i(0)) || any(at >= size)) {
    batch_values[index] = zero;
    return;
  }
  let base = order[cursor + n] * p.sample_size + c * p.plane;
  if (!AFFINE) {
    batch_values[index] = read_value(base + u32(at.y) * p.width + u32(at.x), c);
    return;
  }
  let half = vec2f(size) * 0.5;
  let d = vec2f(at) + 0.5 - half - t.shift;
  let source = vec2f(dot(t.inverse.xy, d), dot(t.inverse.zw, d)) + half - 0.5;
  let corner = floor(source);
  let f = source - corner;
  let origin = vec2i(corner);
  var v = array<f32, 4>(zero, zero, zero, zero);
  for (var k = 0; k < 4; k++) {
    let q = origin + vec2i(k & 1, k >> 1u);
    if (all(q >= vec2i(0)) && all(q < size)) { v[k] = read_value(base + u32(q.y) * p.width + u32(q.x), c); }
  }
  batch_values[index] = mix(mix(v[0], v[1], f.x), mix(v[2], v[3], f.x), f.y);
}

// Runs after `values`: copies the labels, then moves the cursor to the next batch.
@compute @workgroup_size(1)
fn labels() {
  for (var n = 0u; n < p.batch; n++) { batch_labels[n] = sample_labels[order[cursor + n]]; }
  cursor += p.batch;
}
