// Residual: y = act(shortcut(x) + block(x)), the connection of ResNets, as a container layer. The block (and
// the shortcut, when the shapes differ; else the identity) are chains of layers planned like a model's; the
// layers inside are named under the container's name, as a PyTorch module's children are: a Residual named
// "block" holding [Conv2d, BatchNorm2d, ReLU, Conv2d, BatchNorm2d] has "block.0.weight", "block.1.running_mean", ….
import { ConfigError, ShapeError } from '../gpu/errors';
import type { Stage } from '../gpu/kernel';
import { Layer, type Activation, type BuildContext, type RecordedLayer } from './layer';

export interface ResidualOptions {
  /** The layers of the residual branch, in order; unnamed ones are named by their index ("0", "1", …). */
  block: readonly Layer[];
  /** Layers applied to the input on the other branch, when the block changes the shape (a 1×1 Conv2d and a BatchNorm2d, say); unnamed ones are named "shortcut.0", …. Default: the identity. */
  shortcut?: readonly Layer[];
  /** Applied to the sum: 'relu' (default) or 'none'. */
  activation?: 'relu' | 'none';
  name?: string;
}

export class Residual extends Layer {
  readonly kind = 'Residual';
  readonly block: readonly Layer[];
  readonly shortcut: readonly Layer[];
  readonly activationAfterSum: 'relu' | 'none';

  constructor(options: ResidualOptions) {
    super(options.name);
    const where = this.where();
    if (!Array.isArray(options.block) || options.block.length === 0) throw new ConfigError(where, 'the block has no layers', 'Give block: [layers…].');
    this.block = options.block;
    this.shortcut = options.shortcut ?? [];
    this.activationAfterSum = options.activation ?? 'relu';
    if (this.activationAfterSum !== 'relu' && this.activationAfterSum !== 'none') {
      throw new ConfigError(where, `activation is ${JSON.stringify(options.activation)}`, "activation must be 'relu' or 'none'.");
    }
    for (const [branch, layers] of [['block', this.block], ['shortcut', this.shortcut]] as const) {
      // The input feeds both branches: a first layer that overwrote it in place would corrupt the other.
      if (layers[0]?.inPlace) {
        throw new ConfigError(where, `the ${branch} begins with ${layers[0].kind}, which works in place on its input`, `Begin the ${branch} with a layer that writes its own output (a Conv2d, say).`);
      }
    }
    this.block.forEach((layer, i) => (layer.name ??= String(i)));
    this.shortcut.forEach((layer, i) => (layer.name ??= `shortcut.${i}`));
    const names = [...this.block, ...this.shortcut].map((l) => l.name!);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw new ConfigError(where, `two layers inside are named "${duplicate}"`, 'Give every layer inside a unique name.');
  }

  /** Per-sample shapes through a chain: shapes[0] is its input. */
  private static shapesThrough(layers: readonly Layer[], input: readonly number[]): number[][] {
    const shapes = [[...input]];
    for (const layer of layers) shapes.push(layer.outputShape(shapes[shapes.length - 1]));
    return shapes;
  }

  outputShape(input: readonly number[]): number[] {
    const blockOut = Residual.shapesThrough(this.block, input).at(-1)!;
    const shortcutOut = Residual.shapesThrough(this.shortcut, input).at(-1)!;
    if (blockOut.join() !== shortcutOut.join()) {
      const other = this.shortcut.length ? 'the shortcut gives' : 'the input (identity shortcut) is';
      throw new ShapeError(`${this.where()}: the block gives [${blockOut.join(', ')}], ${other}`, shortcutOut, `the same shape on both branches${this.shortcut.length ? '' : ' (add a shortcut that maps the input to the block\'s shape)'}`);
    }
    return blockOut;
  }

  children(input: readonly number[]): Array<{ layer: Layer; input: readonly number[] }> {
    const inside = (layers: readonly Layer[]) => {
      const shapes = Residual.shapesThrough(layers, input);
      return layers.map((layer, i) => ({ layer, input: shapes[i] }));
    };
    return [...inside(this.block), ...inside(this.shortcut)];
  }

  forwardFlops(input: readonly number[]): number {
    const size = this.outputShape(input).reduce((a, b) => a * b, 1);
    // The sum is one FLOP per element; its ReLU counts nothing, as the ReLU layer's does (a comparison).
    return this.children(input).reduce((a, c) => a + c.layer.forwardFlops(c.input), 0) + size;
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const count = ctx.batch * ctx.output.shape.reduce((a, b) => a * b, 1);
    const inputCount = ctx.batch * ctx.input.shape.reduce((a, b) => a * b, 1);
    // Each branch sends its own gradient back to the input; the join sums them into the input's gradient.
    const branchInput = (branch: string): Activation => ({
      buffer: ctx.input.buffer,
      shape: ctx.input.shape,
      grad: ctx.input.grad ? ctx.memory.floats(`${ctx.label} ${branch} input gradient`, inputCount) : undefined,
    });
    const blockInput = branchInput('block');
    const shortcutInput = this.shortcut.length ? branchInput('shortcut') : undefined;
    const [block, shortcut] = await Promise.all([ctx.chain(this.block, blockInput), shortcutInput ? ctx.chain(this.shortcut, shortcutInput) : undefined]);
    const blockOut = block.activations.at(-1)!;
    const shortcutOut = shortcut?.activations.at(-1);

    const kernels = ctx.engine.kernels;
    const constants = { RELU: this.activationAfterSum === 'relu' };
    const join = (await kernels.get('residual', 'forward', constants)).bind(ctx.memory, `${ctx.label} sum`, {
      a: shortcutOut?.buffer ?? ctx.input.buffer, b: blockOut.buffer, output: ctx.output.buffer,
    }, { count });
    const forward: Stage[] = [...(shortcut?.forward ?? []), ...block.forward, join.dispatch(count, 1, count)];
    if (!ctx.training) return { forward, backward: [] };

    const split = shortcutOut
      ? (await kernels.get('residual', 'backward_both', constants)).bind(ctx.memory, `${ctx.label} gradient to both branches`, {
          output: ctx.output.buffer, grad_output: ctx.output.grad!, grad_block: blockOut.grad!, grad_shortcut: shortcutOut.grad!,
        }, { count })
      : (await kernels.get('residual', 'backward_block', constants)).bind(ctx.memory, `${ctx.label} gradient to the block`, {
          output: ctx.output.buffer, grad_output: ctx.output.grad!, grad_block: blockOut.grad!,
        }, { count });
    const backward: Stage[] = [split.dispatch(count), ...block.backward, ...(shortcut?.backward ?? [])];
    if (ctx.input.grad) {
      const merge = shortcutInput
        ? (await kernels.get('residual', 'merge_shortcut', constants)).bind(ctx.memory, `${ctx.label} input gradient`, {
            grad_block_input: blockInput.grad!, grad_shortcut_input: shortcutInput.grad!, grad_input: ctx.input.grad,
          }, { count: inputCount })
        : (await kernels.get('residual', 'merge_identity', constants)).bind(ctx.memory, `${ctx.label} input gradient`, {
            grad_block_input: blockInput.grad!, output: ctx.output.buffer, grad_output: ctx.output.grad!, grad_input: ctx.input.grad,
          }, { count: inputCount });
      backward.push(merge.dispatch(inputCount));
    }
    return { forward, backward };
  }
}
