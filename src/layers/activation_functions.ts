// The pointwise activations of shaders/activation_functions.wgsl, by the names layers declare
// (`Layer.activation`), and how a kernel that includes that file is told which one to apply: its own pass
// (activation.wgsl) or the epilogue of the layer before, which absorbs the activation when the plan fuses
// them (Conv2d, Linear and BatchNorm declare every one of these in `fusesActivationAfter`).
import { ConfigError } from '../gpu/errors';
import type { Constants } from '../gpu/kernel';
import type { BuildContext } from './layer';

// The shader's ACTIVATION values (the constants at the top of activation_functions.wgsl).
const ACTIVATION_IDS = {
  relu: 1, sigmoid: 2, tanh: 3, leaky_relu: 4, elu: 5, gelu: 6, gelu_tanh: 7, silu: 8, hardswish: 9,
} as const;

export type ActivationFunction = keyof typeof ACTIVATION_IDS;

/** Every activation the shared WGSL defines, so every one a layer's epilogue can apply. */
export const EPILOGUE_ACTIVATIONS: readonly ActivationFunction[] = Object.keys(ACTIVATION_IDS) as ActivationFunction[];

/**
 * The override constants that select `activation` (none: the identity) with its options (negative_slope,
 * alpha; PyTorch's defaults where not given) in a shader that includes activation_functions.wgsl.
 */
export function activationConstants(where: string, activation: string | undefined, options: Readonly<Record<string, number>> = {}): Constants {
  if (activation === undefined) return { ACTIVATION: 0 };
  if (!(activation in ACTIVATION_IDS)) {
    throw new ConfigError(where, `no shader function for the activation "${activation}"`, `The shared activations are: ${EPILOGUE_ACTIVATIONS.join(', ')}.`);
  }
  return { ACTIVATION: ACTIVATION_IDS[activation as ActivationFunction], NEGATIVE_SLOPE: options.negative_slope ?? 0.01, ELU_ALPHA: options.alpha ?? 1 };
}

/**
 * What a forward kernel with the activation epilogue needs from its layer's fusion: the constants (the
 * function, and ACTIVATED_SEPARATELY when the activation keeps its own output) and the buffer bound to
 * `activated` (that output, or a placeholder the kernel never touches).
 */
export function epilogue(ctx: BuildContext): { constants: Constants; activated: GPUBuffer } {
  const { activationAfter, activationOptions, activated } = ctx.fusion;
  return {
    constants: { ...activationConstants(ctx.label, activationAfter, activationOptions), ACTIVATED_SEPARATELY: activated !== undefined },
    activated: activated?.buffer ?? ctx.memory.floats(`${ctx.label} no separate activation`, 1),
  };
}
