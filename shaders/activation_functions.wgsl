// PyTorch's pointwise activations, each with its derivative: the one definition that activation.wgsl (an
// activation's own passes) and every kernel that applies an activation in its epilogue (conv2d,
// conv2d_general, linear, batchnorm2d) share. A shader takes them with the line
//   // #include activation_functions.wgsl
// and the build appends this text after the shader's own lines (build/shader_interfaces.ts).
// ACTIVATION picks the function when the pipeline is made; the compiler drops the others.
//
// Derivatives are of the input x, with PyTorch's values at the kinks. Sigmoid's and Tanh's are computed
// from x, although PyTorch's sigmoid_backward and tanh_backward read the output: in f32, y·(1 − y) and
// 1 − y² cancel where y is near ±1 (at x = 5, 1 − tanh² = 1.8e-4 keeps 3 digits), while e^(−|x|) forms
// keep full relative precision in the tails. GELU, SiLU and Hardswish are not one-to-one, so their
// derivatives need x in any case.

// The values of ACTIVATION; src/layers/activation_functions.ts names the same numbers.
const ACTIVATION_NONE: u32 = 0u;
const RELU: u32 = 1u;
const SIGMOID: u32 = 2u;
const TANH: u32 = 3u;
const LEAKY_RELU: u32 = 4u;
const ELU: u32 = 5u;
const GELU: u32 = 6u;
const GELU_TANH: u32 = 7u;
const SILU: u32 = 8u;
const HARDSWISH: u32 = 9u;

override ACTIVATION: u32 = 0u;
// LeakyReLU's negative_slope and ELU's alpha (the other functions have no option).
override NEGATIVE_SLOPE: f32 = 0.01;
override ELU_ALPHA: f32 = 1.0;
// For kernels that apply ACTIVATION in their epilogue: false, the activated values overwrite the
// kernel's output (ReLU, in place: its backward pass reads them); true, they go to the kernel's
// `activated` buffer (the activation layer's own output) and the output keeps the pre-activation, which
// the activation's backward pass reads (src/layers/activation_functions.ts, epilogue()).
override ACTIVATED_SEPARATELY: bool = false;

const SQRT_HALF: f32 = 0.70710678;
const INV_SQRT_TWO_PI: f32 = 0.39894228;
const SQRT_TWO_OVER_PI: f32 = 0.79788456;
const GELU_CUBIC: f32 = 0.044715;

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

// tanh through exp of a non-positive argument, so it never divides infinity by infinity (a builtin
// written as (e^2x − 1)/(e^2x + 1) gives NaN past |x| ≈ 44); below |x| = 0.3 a Taylor polynomial (to x¹¹; the next term is under 1e-9 relative) keeps
// the relative error of small values, where 1 − e^(−2|x|) would cancel.
fn stable_tanh(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.3) {
    let s = x * x;
    return x * (1.0 + s * (-1.0 / 3.0 + s * (2.0 / 15.0 + s * (-17.0 / 315.0 + s * (62.0 / 2835.0 + s * (-1382.0 / 155925.0))))));
  }
  let e = exp(-2.0 * a);
  return sign(x) * (1.0 - e) / (1.0 + e);
}

// erf in f32 (WGSL has none): the minimax forms of Arm's optimized-routines erff (MIT licence):
// x + x·P(x²) below 0.921875, 1 − exp(−(a + a·Q(a))) up to 4, and ±1 beyond (erfc(4) < 2e-8, below
// half an ulp of 1). test/activation.test.ts measures it against the float64 reference over [−6, 6].
fn erf(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.921875) {
    let s = x * x;
    let r = 0.12837915 + s * (-0.37612486 + s * (0.11281803 + s * (-0.026766734 + s * (0.0049933959 + s * -0.00059910497))));
    return x + x * r;
  }
  if (a >= 4.0) {
    return sign(x);
  }
  let q = 0.12871751 + a * (0.63484669 + a * (0.10677785 + a * (-0.024254560 + a * (0.0038839343 + a * (-0.00038320868 + a * 0.000017294893)))));
  return sign(x) * (1.0 - exp(-(a + a * q)));
}

fn activate(x: f32) -> f32 {
  switch ACTIVATION {
    case RELU: { return max(x, 0.0); }
    case SIGMOID: { return sigmoid(x); }
    case TANH: { return stable_tanh(x); }
    case LEAKY_RELU: { return select(NEGATIVE_SLOPE * x, x, x > 0.0); }
    // exp(x) − 1 loses digits near 0, but only relative to an output that small: the absolute error
    // stays one ulp of 1.
    case ELU: { return select(ELU_ALPHA * (exp(x) - 1.0), x, x > 0.0); }
    case GELU: { return 0.5 * x * (1.0 + erf(x * SQRT_HALF)); }
    case GELU_TANH: { return 0.5 * x * (1.0 + stable_tanh(SQRT_TWO_OVER_PI * (x + GELU_CUBIC * x * x * x))); }
    case SILU: { return x * sigmoid(x); }
    case HARDSWISH: { return x * clamp(x + 3.0, 0.0, 6.0) / 6.0; }
    default: { return x; }
  }
}

// The epilogue of kernels that hold 4 channels' values at once.
fn activate4(v: vec4f) -> vec4f {
  return vec4f(activate(v.x), activate(v.y), activate(v.z), activate(v.w));
}

fn activation_derivative(x: f32) -> f32 {
  switch ACTIVATION {
    // PyTorch: the derivative at 0 is 0.
    case RELU: { return select(0.0, 1.0, x > 0.0); }
    // σ(x)·σ(−x) = e/(1 + e)² with e = e^(−|x|).
    case SIGMOID: {
      let e = exp(-abs(x));
      return e / ((1.0 + e) * (1.0 + e));
    }
    // 1 − tanh²(x) = 4e/(1 + e)² with e = e^(−2|x|).
    case TANH: {
      let e = exp(-2.0 * abs(x));
      return 4.0 * e / ((1.0 + e) * (1.0 + e));
    }
    // PyTorch: the slope at 0 is negative_slope (x > 0 takes 1).
    case LEAKY_RELU: { return select(NEGATIVE_SLOPE, 1.0, x > 0.0); }
    // PyTorch: x ≤ 0 takes alpha·e^x, so the derivative at 0 is alpha.
    case ELU: { return select(ELU_ALPHA * exp(x), 1.0, x > 0.0); }
    case GELU: { return 0.5 * (1.0 + erf(x * SQRT_HALF)) + x * INV_SQRT_TWO_PI * exp(-0.5 * x * x); }
    case GELU_TANH: {
      let t = stable_tanh(SQRT_TWO_OVER_PI * (x + GELU_CUBIC * x * x * x));
      return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SQRT_TWO_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x);
    }
    case SILU: {
      let s = sigmoid(x);
      return s * (1.0 + x * (1.0 - s));
    }
    // PyTorch: 0 below −3, x/3 + 1/2 on [−3, 3] (so −1/2 at −3 and 3/2 at 3), 1 above.
    case HARDSWISH: {
      if (x < -3.0) { return 0.0; }
      if (x <= 3.0) { return x / 3.0 + 0.5; }
      return 1.0;
    }
    default: { return 1.0; }
  }
}
