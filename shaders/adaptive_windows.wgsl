// PyTorch's adaptive pooling windows, shared by adaptive_avg_pool2d.wgsl and adaptive_max_pool2d.wgsl
// (taken with `// #include adaptive_windows.wgsl`): output index i of O covers the input indices
// [floor(i·I/O), ceil((i+1)·I/O)) of I. Exchanging I and O gives the outputs whose windows cover input
// index i, which the backward passes gather from.

fn window_start(i: u32, size_in: u32, size_out: u32) -> u32 {
  return i * size_in / size_out;
}

fn window_end(i: u32, size_in: u32, size_out: u32) -> u32 {
  return ((i + 1u) * size_in + size_out - 1u) / size_out;
}
