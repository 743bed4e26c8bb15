// Conv2d's bias gradient, each variant pinned in turn: one invocation per output channel (conv2d.wgsl) and
// a workgroup per channel summing within subgroups first (conv2d_bias_grad_subgroups.wgsl; lavapipe and
// SwiftShader both have `subgroups`), through the whole layer against the float64 reference (outputs
// poisoned), on channel counts that are not multiples of a subgroup's size, planes of one value, and a
// channel of 6,272 values (with more, the weight gradient's long f32 sums leave the tolerance); each
// variant gives the same bits on a second run.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkedConv2dRun } from './support/conv2d_check';
import { testEngine } from './support/gpu';
import type * as ops from './reference/ops';

const cases: ops.ConvShape[] = [
  { batch: 1, inC: 2, h: 1, w: 1, outC: 3, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0 },
  { batch: 3, inC: 3, h: 11, w: 9, outC: 5, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1 },
  { batch: 2, inC: 2, h: 7, w: 10, outC: 65, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0 },
  { batch: 8, inC: 1, h: 28, w: 28, outC: 9, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },
];

describe.each(['direct', 'subgroups'])('conv2d bias gradient pinned to %s', (variant) => {
  beforeAll(async () => (await testEngine()).autotune.pin('conv2d.bias_grad', variant));
  afterAll(async () => (await testEngine()).autotune.pin('conv2d.bias_grad', undefined));

  test.each(cases)('%o, the same bits twice', async (s) => {
    const first = await checkedConv2dRun(s, false);
    const second = await checkedConv2dRun(s, false);
    expect([...new Uint32Array(second.grads.bias.buffer)]).toEqual([...new Uint32Array(first.grads.bias.buffer)]);
  });
});
