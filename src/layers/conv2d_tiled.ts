// Conv2d's tiled implicit-GEMM candidates (shaders/conv2d_tiled.wgsl) for the forward pass and both
// gradients: the shape real GPUs want (workgroup-memory staging, 4 × 4 register blocks), offered to the
// autotuner beside conv2d.wgsl's barrier-free kernels (or, for groups, dilation and asymmetric padding,
// beside conv2d_general.wgsl's), so each adapter keeps whichever is faster there.
import { gridFor, type Constants, type Resource, type Stage } from '../gpu/kernel';
import type { BuildContext } from './layer';

/** A tile: WG_M × WG_N invocations of 4 × 4 outputs each, TILE_K steps of the reduction per stage. */
interface TileShape {
  WG_M: number;
  WG_N: number;
  TILE_K: number;
}

/**
 * The tiles offered, by variant name (rows × columns of the product each workgroup owns): tall for many
 * channels, wide for few (the reference CNN's 16-channel layer fills a 16-row tile exactly).
 */
export const TILES: Readonly<Record<string, TileShape>> = {
  'tiled 16x64': { WG_M: 4, WG_N: 16, TILE_K: 8 },
  'tiled 32x32': { WG_M: 8, WG_N: 8, TILE_K: 8 },
};

/** What every pass needs: the layer's uniforms (conv2d.wgsl's) and window geometry. */
export interface ConvProblem {
  ctx: BuildContext;
  uniforms: Record<string, number>;
  /** conv2d_tiled.wgsl's constants: kernel, stride, PAD_H/PAD_W (top and left), and optionally DILATION_H/W and GROUPS. */
  geometry: Record<string, number>;
  /** FLOPs of each pass (forward, input gradient and weight gradient all do the same). */
  flops: number;
}

// The weight gradient's reduction is split until the grid has about this many workgroups (a GPU wants
// many in flight), but never into slices shorter than MIN_SLICE steps (each slice costs a pass over its
// partial sums).
const TARGET_GROUPS = 256;
const MIN_SLICE = 512;

const tilesOf = (size: number, tile: number) => Math.ceil(size / tile);

/**
 * Grouped forward passes and input gradients are offered tiled only where each group has at least this
 * many rows of the product (output or input channels per group): one register block's. Below it most of
 * a 16-row tile multiplies zeros, while conv2d_general.wgsl already runs one invocation per output, so the
 * tiles cannot win; on lavapipe a depthwise 32 × 14 × 14 layer's forward pass took 448 ms tiled against
 * 18 ms (docs/benchmarks.md). The weight gradient is offered whatever the rows: there the general kernel
 * runs one invocation per weight (288 for that layer, too few for a GPU), the tiled one splits the reduction.
 */
const MIN_GROUP_ROWS = 4;

/** False for a grouped pass whose groups have too few rows to fill a tile (MIN_GROUP_ROWS). */
const groupsFillTiles = (channels: number, geometry: Record<string, number>) =>
  (geometry.GROUPS ?? 1) === 1 || channels / geometry.GROUPS >= MIN_GROUP_ROWS;

/** The grid's rows: every group's `channels / groups` rows of the product, tiled on their own. */
const groupRows = (channels: number, geometry: Record<string, number>, tile: TileShape) => {
  const groups = geometry.GROUPS ?? 1;
  return groups * tilesOf(channels / groups, 4 * tile.WG_M);
};

/** A grid of `tiles` column tiles (folded into z past 65535) × `rows` row tiles, as the shader unfolds it. */
function columnGrid(tiles: number, rows: number): [number, number, number] {
  const [x, z] = gridFor(tiles, 1);
  return [x, rows, z];
}

/** The forward pass per tile shape (none for groups of few channels: MIN_GROUP_ROWS): bias and the fused activation in the epilogue. */
export function tiledForward(problem: ConvProblem, bias: Resource, epilogue: { constants: Constants; activated: GPUBuffer }): Record<string, () => Promise<Stage[]>> {
  const { ctx, uniforms, geometry, flops } = problem;
  const [outC, outH, outW] = ctx.output.shape;
  const variants: Record<string, () => Promise<Stage[]>> = {};
  if (!groupsFillTiles(outC, geometry)) return variants;
  for (const [name, tile] of Object.entries(TILES)) {
    variants[name] = async () => {
      const kernel = await ctx.engine.kernels.get('conv2d_tiled', 'forward', { ...geometry, ...tile, ...epilogue.constants });
      const bound = kernel.bind(ctx.memory, `${ctx.label} forward`, { input: ctx.input.buffer, weight: ctx.params.weight, bias, output: ctx.output.buffer, activated: epilogue.activated }, { ...uniforms, splits: 1 });
      return [bound.dispatchGroups(...columnGrid(tilesOf(ctx.batch * outH * outW, 4 * tile.WG_N), groupRows(outC, geometry, tile)), flops)];
    };
  }
  return variants;
}

/** The input gradient per tile shape (none for groups of few channels: MIN_GROUP_ROWS). */
export function tiledInputGrad(problem: ConvProblem): Record<string, () => Promise<Stage[]>> {
  const { ctx, uniforms, geometry, flops } = problem;
  const [inC, inH, inW] = ctx.input.shape;
  const variants: Record<string, () => Promise<Stage[]>> = {};
  if (!groupsFillTiles(inC, geometry)) return variants;
  for (const [name, tile] of Object.entries(TILES)) {
    variants[name] = async () => {
      const kernel = await ctx.engine.kernels.get('conv2d_tiled', 'input_grad', { ...geometry, ...tile });
      const bound = kernel.bind(ctx.memory, `${ctx.label} input gradient`, { grad_output: ctx.output.grad!, weight: ctx.params.weight, grad_input: ctx.input.grad! }, { ...uniforms, splits: 1 });
      return [bound.dispatchGroups(...columnGrid(tilesOf(ctx.batch * inH * inW, 4 * tile.WG_N), groupRows(inC, geometry, tile)), flops)];
    };
  }
  return variants;
}

/**
 * The weight gradient per tile shape: the reduction over batch and pixels split into slices along z, and
 * the slices' partial sums added in order by a second dispatch (none when one slice is enough).
 */
export function tiledWeightGrad(problem: ConvProblem): Record<string, () => Promise<Stage[]>> {
  const { ctx, uniforms, geometry, flops } = problem;
  const [outC, outH, outW] = ctx.output.shape;
  const weights = (outC * ctx.input.shape[0] * geometry.KERNEL_H * geometry.KERNEL_W) / (geometry.GROUPS ?? 1);
  const reduction = ctx.batch * outH * outW;
  const label = `${ctx.label} weight gradient`;
  const variants: Record<string, () => Promise<Stage[]>> = {};
  for (const [name, tile] of Object.entries(TILES)) {
    const columns = tilesOf(weights / outC, 4 * tile.WG_N);
    const rows = groupRows(outC, geometry, tile);
    const splits = Math.max(1, Math.min(tilesOf(reduction, MIN_SLICE), tilesOf(TARGET_GROUPS, columns * rows)));
    const values = { ...uniforms, splits };
    variants[name] = async () => {
      const kernel = await ctx.engine.kernels.get('conv2d_tiled', 'weight_grad', { ...geometry, ...tile });
      if (splits === 1) {
        return [kernel.bind(ctx.memory, label, { grad_output: ctx.output.grad!, input: ctx.input.buffer, grad_weight_partial: ctx.grads.weight }, values).dispatchGroups(columns, rows, 1, flops)];
      }
      const partial = ctx.memory.floats(`${label} slices (${name})`, splits * weights);
      const reduce = await ctx.engine.kernels.get('conv2d_tiled', 'reduce_splits', geometry);
      return [
        kernel.bind(ctx.memory, label, { grad_output: ctx.output.grad!, input: ctx.input.buffer, grad_weight_partial: partial }, values).dispatchGroups(columns, rows, splits, flops),
        reduce.bind(ctx.memory, `${label} slices summed`, { partial, grad_weight: ctx.grads.weight }, values).dispatch(weights),
      ];
    };
  }
  return variants;
}
