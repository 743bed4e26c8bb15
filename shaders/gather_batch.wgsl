// Builds a training batch on the GPU from a dataset uploaded once: sample indices come from an index
// list (shuffled by the host once per epoch) from a cursor (a sample position) that advances on the GPU, so a step uploads
// nothing. Samples are stored either as bytes (4 to a u32, scaled to floats here) or as f32 bits.

struct Params { batch: u32, sample_size: u32, scale: f32 }

override WORKGROUP_SIZE: u32 = 64;
override BYTES_PER_VALUE: u32 = 1;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> samples: array<u32>;
@group(0) @binding(2) var<storage, read> sample_labels: array<u32>;
@group(0) @binding(3) var<storage, read> order: array<u32>;
@group(0) @binding(4) var<storage, read_write> cursor: u32;
@group(0) @binding(5) var<storage, read_write> batch_values: array<f32>;
@group(0) @binding(6) var<storage, read_write> batch_labels: array<u32>;

fn read_value(k: u32) -> f32 {
  if (BYTES_PER_VALUE == 4u) { return bitcast<f32>(samples[k]) * p.scale; }
  let byte = (samples[k / 4u] >> ((k % 4u) * 8u)) & 0xffu;
  return f32(byte) * p.scale;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn values(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = gid.x + gid.z * groups.x * WORKGROUP_SIZE;
  if (index >= p.batch * p.sample_size) { return; }
  let n = index / p.sample_size;
  let sample = order[cursor + n];
  batch_values[index] = read_value(sample * p.sample_size + index % p.sample_size);
}

// Runs after `values`: copies the labels, then moves the cursor to the next batch.
@compute @workgroup_size(1)
fn labels() {
  for (var n = 0u; n < p.batch; n++) { batch_labels[n] = sample_labels[order[cursor + n]]; }
  cursor += p.batch;
}
