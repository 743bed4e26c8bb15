// Flatten's shapes against PyTorch's nn.Flatten(start_dim, end_dim) on [N, ...] (the batch is dimension 0),
// and the ranges it refuses. Flatten is a view, so shapes are all there is to check.
import { expect, test } from 'vitest';
import { Flatten } from '../src/layers/flatten';
import { ConfigError, ShapeError } from '../src/gpu/errors';

// Each row: options, per-sample input, PyTorch's output without N (torch.flatten(torch.zeros(N, *input), start, end).shape[1:]).
test.each([
  [{}, [3, 4, 5], [60]],
  [{ startDim: 1, endDim: -1 }, [7], [7]],
  [{ startDim: 2 }, [3, 4, 5], [3, 20]],
  [{ startDim: 1, endDim: 2 }, [3, 4, 5], [12, 5]],
  [{ startDim: 2, endDim: 2 }, [3, 4, 5], [3, 4, 5]],
  [{ startDim: -2 }, [3, 4, 5], [3, 20]],
  [{ startDim: -3, endDim: -2 }, [3, 4, 5], [12, 5]],
  [{ startDim: 3, endDim: -1 }, [2, 3, 4, 5], [2, 3, 20]],
])('Flatten(%o) on %o gives %o', (options, input, output) => {
  expect(new Flatten(options).outputShape(input)).toEqual(output);
});

test('startDim 0 (the batch) is refused, naming what is supported', () => {
  expect(() => new Flatten({ startDim: 0, name: 'f' })).toThrow(ConfigError);
  expect(() => new Flatten({ startDim: 0, name: 'f' })).toThrow('Flatten "f": startDim is 0 (the batch dimension). Shapes here are per sample: use startDim ≥ 1');
  expect(() => new Flatten({ startDim: 1.5 })).toThrow('startDim must be an integer');
});

test.each([
  [{ startDim: 4 }, [3, 4, 5]],
  [{ endDim: 3, startDim: 1 }, [3, 4]],
  [{ startDim: 3, endDim: 2 }, [3, 4, 5]],
  [{ startDim: -4 }, [3, 4, 5]],
])('Flatten(%o) on %o names a range outside the input', (options, input) => {
  expect(() => new Flatten(options).outputShape(input)).toThrow(ShapeError);
  expect(() => new Flatten(options).outputShape(input)).toThrow('the batch, 0, is never flattened');
});
