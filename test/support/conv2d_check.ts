// One conv2d check for every variant's test: a Conv2d layer run forward and backward on random inputs
// (outputs poisoned), compared with the float64 reference at the project's f32 tolerances.
import { expect } from 'vitest';
import { Conv2d } from '../../src/layers/conv2d';
import { Random } from '../../src/random';
import { expectClose, f64 } from './compare';
import { randomArray, runLayer, testEngine, type LayerRun } from './gpu';
import * as ops from '../reference/ops';

export async function checkConv2d(s: ops.ConvShape, reluAfter: boolean): Promise<void> {
  await checkedConv2dRun(s, reluAfter);
}

/** checkConv2d's run, returned: for tests that also compare two runs. */
export async function checkedConv2dRun(s: ops.ConvShape, reluAfter: boolean): Promise<LayerRun> {
  const engine = await testEngine();
  const random = new Random(s.batch * 1000 + s.inC * 100 + s.kh);
  const [oh, ow] = ops.convOutSize(s);
  const input = randomArray(random, s.batch * s.inC * s.h * s.w);
  const weight = randomArray(random, (s.outC * s.inC * s.kh * s.kw) / (s.groups ?? 1), -0.5, 0.5);
  const bias = randomArray(random, s.outC);
  const gradOutput = randomArray(random, s.batch * s.outC * oh * ow);
  // Padding that differs between the two sides comes only from 'same' (PyTorch's numeric padding is symmetric).
  const padding = (s.pb ?? s.ph) !== s.ph || (s.pr ?? s.pw) !== s.pw ? 'same' : [s.ph, s.pw] as [number, number];
  const layer = new Conv2d({ inChannels: s.inC, outChannels: s.outC, kernelSize: [s.kh, s.kw], stride: [s.sh, s.sw], padding, dilation: [s.dh ?? 1, s.dw ?? 1], groups: s.groups });
  expect(layer.outputShape([s.inC, s.h, s.w])).toEqual([s.outC, oh, ow]);
  const run = await runLayer(engine, layer, { batch: s.batch, inputShape: [s.inC, s.h, s.w], input, params: { weight, bias }, gradOutput, fusion: { activationAfter: reluAfter ? 'relu' : undefined } });

  const pre = ops.conv2dForward(s, f64(input), f64(weight), f64(bias));
  // With the fused ReLU, elements within 1e-4 of the kink may round either way in f32: not compared.
  const nearKink = (i: number) => reluAfter && Math.abs(pre[i]) < 1e-4;
  expectClose('output', run.output, reluAfter ? ops.relu(pre) : pre, undefined, nearKink);
  // The layer's backward takes the gradient of its pre-activation output (the ReLU layer masks it).
  const { gx, gw, gb } = ops.conv2dBackward(s, f64(input), f64(weight), f64(gradOutput));
  expectClose('input gradient', run.gradInput!, gx);
  expectClose('weight gradient', run.grads.weight, gw);
  expectClose('bias gradient', run.grads.bias, gb);
  return run;
}
