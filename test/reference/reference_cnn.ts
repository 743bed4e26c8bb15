// The reference network of the design (conv-relu-pool ×2, linear) in float64: forward, loss and every
// gradient, composed from the reference ops.
import * as ops from './ops';

export interface CnnParams {
  'conv1.0.weight': Float64Array; 'conv1.0.bias': Float64Array;
  'conv2.0.weight': Float64Array; 'conv2.0.bias': Float64Array;
  'out.weight': Float64Array; 'out.bias': Float64Array;
}

const conv1 = (batch: number): ops.ConvShape => ({ batch, inC: 1, h: 28, w: 28, outC: 16, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2 });
const conv2 = (batch: number): ops.ConvShape => ({ batch, inC: 16, h: 14, w: 14, outC: 32, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2 });
const pool = (planes: number, size: number): ops.PoolShape => ({ planes, h: size, w: size, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0 });

export function cnnLossAndGradients(batch: number, x: Float64Array, labels: ArrayLike<number>, p: CnnParams) {
  const a1 = ops.relu(ops.conv2dForward(conv1(batch), x, p['conv1.0.weight'], p['conv1.0.bias']));
  const p1 = ops.maxPoolForward(pool(batch * 16, 28), a1).y;
  const a2 = ops.relu(ops.conv2dForward(conv2(batch), p1, p['conv2.0.weight'], p['conv2.0.bias']));
  const p2 = ops.maxPoolForward(pool(batch * 32, 14), a2).y;
  const logits = ops.linearForward(batch, 1568, 10, p2, p['out.weight'], p['out.bias']);
  const { loss, grad } = ops.softmaxCrossEntropy(batch, 10, logits, labels);
  const out = ops.linearBackward(batch, 1568, 10, p2, p['out.weight'], grad);
  const ga2 = ops.reluBackward(a2, ops.maxPoolBackward(pool(batch * 32, 14), a2, out.gx));
  const c2 = ops.conv2dBackward(conv2(batch), p1, p['conv2.0.weight'], ga2);
  const ga1 = ops.reluBackward(a1, ops.maxPoolBackward(pool(batch * 16, 28), a1, c2.gx));
  const c1 = ops.conv2dBackward(conv1(batch), x, p['conv1.0.weight'], ga1);
  return {
    loss,
    logits,
    grads: {
      'conv1.0.weight': c1.gw, 'conv1.0.bias': c1.gb, 'conv2.0.weight': c2.gw, 'conv2.0.bias': c2.gb,
      'out.weight': out.gw, 'out.bias': out.gb,
    } as CnnParams,
  };
}
