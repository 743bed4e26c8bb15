// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011; Random123's
// philox4x32), the counter-based generator of every random draw on the GPU: the draw for a counter is a
// pure function of (counter, key), so a kernel can recompute any draw instead of storing it.
// A library, not a kernel: a shader that needs it says `// #include philox.wgsl`, and the build appends
// this text after the shader's own lines (build/shader_interfaces.ts). Its CPU twin: test/reference/philox.ts.

// The high word of a 32×32-bit product: WGSL has no 64-bit integers, so it is assembled from the four
// 16×16-bit partial products, each of which fits a u32.
fn mul_hi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lo_lo = a_lo * b_lo;
  let lo_hi = a_lo * b_hi;
  let hi_lo = a_hi * b_lo;
  // The carry out of the low word: at most 3 · (2¹⁶ − 1), so this sum cannot overflow.
  let carry = ((lo_lo >> 16u) + (lo_hi & 0xffffu) + (hi_lo & 0xffffu)) >> 16u;
  return a_hi * b_hi + (lo_hi >> 16u) + (hi_lo >> 16u) + carry;
}

fn philox4x32_10(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    if (round > 0u) { k += vec2u(0x9e3779b9u, 0xbb67ae85u); }
    let hi0 = mul_hi(0xd2511f53u, c.x);
    let lo0 = 0xd2511f53u * c.x;
    let hi1 = mul_hi(0xcd9e8d57u, c.z);
    let lo1 = 0xcd9e8d57u * c.z;
    c = vec4u(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
  }
  return c;
}
