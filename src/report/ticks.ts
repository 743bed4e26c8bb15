// Axis ticks at round values (1, 2 or 5 times a power of ten), covering a data range: what a person reads
// off a chart, and what plotting libraries choose by default.

/** About `count` round tick values from at most `low` to at least `high`; the first and last bound the axis. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!Number.isFinite(low) || !Number.isFinite(high)) throw new RangeError(`niceTicks: the range [${low}, ${high}] is not finite`);
  if (high < low) [low, high] = [high, low];
  if (high === low) {
    // One value: a range around it, so it sits inside the axis rather than on an edge.
    const pad = low === 0 ? 1 : Math.abs(low) / 10;
    [low, high] = [low - pad, high + pad];
  }
  const raw = (high - low) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  // The round step nearest the raw one (on a log scale: thresholds at √2, √10, √50), as d3's ticks choose.
  const error = raw / power;
  const step = power * (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1);
  const first = Math.floor(low / step + 1e-9);
  const last = Math.ceil(high / step - 1e-9);
  // Multiples of the step, rounded to its decimals: 0.1 × 3 is 0.3 here, not 0.30000000000000004.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toFixed(decimals)));
}

/** The linear map of [domain0, domain1] onto [range0, range1]. */
export function linear(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}
