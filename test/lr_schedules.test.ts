// The step and warm-up + cosine schedules' rates against PyTorch's (StepLR; SequentialLR of LinearLR and
// CosineAnnealingLR), from test/fixtures/lr_schedules.json (make_lr_schedules_fixture.py), and the checks
// on their parameters. The rates are f32 on the GPU: they must be within f32 rounding of PyTorch's float64.
import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../src/gpu/errors';
import { checkSchedule, describeSchedule, learningRates, type ScheduleName, type ScheduleParameters } from '../src/optim/schedule';
import { expectClose, type Tolerance } from './support/compare';

const F32_ROUNDING: Tolerance = { normRelative: 1e-7, absolute: 1e-12, relative: 1e-7 };

const fixture = JSON.parse(await readFile(new URL('./fixtures/lr_schedules.json', import.meta.url), 'utf8')) as {
  base_lr: number;
  step: Array<{ step_size: number; gamma: number; steps: number; lr: number[] }>;
  warmup_cosine: Array<{ warmup_steps: number; start_factor: number; total_steps: number; lr: number[] }>;
};

describe('PyTorch\'s rates', () => {
  test.each(fixture.step)('StepLR(step_size $step_size, gamma $gamma) over $steps steps', ({ step_size, gamma, steps, lr }) => {
    const schedule = checkSchedule('test', 'step', { stepSize: step_size, gamma }, steps);
    expectClose('rates', learningRates(schedule, fixture.base_lr, steps), lr, F32_ROUNDING);
  });

  test.each(fixture.warmup_cosine)('LinearLR($warmup_steps steps from $start_factor) then CosineAnnealingLR over $total_steps steps', ({ warmup_steps, start_factor, total_steps, lr }) => {
    const schedule = checkSchedule('test', 'warmup-cosine', { warmupSteps: warmup_steps, warmupStartFactor: start_factor }, total_steps);
    expectClose('rates', learningRates(schedule, fixture.base_lr, total_steps), lr, F32_ROUNDING);
  });
});

test('defaults are PyTorch\'s: gamma 0.1, start factor 1/3', () => {
  expect(checkSchedule('test', 'step', { stepSize: 2 }, 10)).toEqual({ name: 'step', stepSize: 2, gamma: 0.1 });
  expect(checkSchedule('test', 'warmup-cosine', { warmupSteps: 2 }, 10)).toEqual({ name: 'warmup-cosine', warmupSteps: 2, warmupStartFactor: 1 / 3 });
  expect(describeSchedule(checkSchedule('test', 'step', { stepSize: 3, gamma: 0.5 }, 10))).toBe('step (stepSize 3, gamma 0.5)');
});

test.each<[string, ScheduleName, ScheduleParameters, string]>([
  ['a step schedule without its step size', 'step', { gamma: 0.5 }, 'stepSize is undefined'],
  ['a fractional step size', 'step', { stepSize: 1.5 }, 'stepSize is 1.5'],
  ['a negative gamma', 'step', { stepSize: 1, gamma: -0.1 }, 'gamma is -0.1'],
  ['a warm-up as long as the run', 'warmup-cosine', { warmupSteps: 10 }, 'an integer from 1 to 9 (the run has 10 steps)'],
  ['a start factor of 0', 'warmup-cosine', { warmupSteps: 2, warmupStartFactor: 0 }, 'warmupStartFactor is 0'],
  ['another schedule\'s parameter', 'cosine', { warmupSteps: 2 }, 'warmupSteps belongs to schedule \'warmup-cosine\''],
])('%s is refused', (_, name, parameters, message) => {
  const check = () => checkSchedule('test', name, parameters, 10);
  expect(check).toThrow(ConfigError);
  expect(check).toThrow(message);
});
