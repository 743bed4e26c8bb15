// Every error the engine throws is a class with a name and the facts, so callers can branch on the
// type and people can read what was wrong and what would be valid.
// Each class writes its name on its prototype, as a string: a minifier renames classes, and
// `err.name === 'NoAdapterError'` must hold in a user's production bundle too.

export class EngineError extends Error {
  static {
    this.prototype.name = 'EngineError';
  }
}

/** A layer, model or call was configured in a way that cannot work. Thrown before any GPU work. */
export class ConfigError extends EngineError {
  static {
    this.prototype.name = 'ConfigError';
  }

  constructor(
    readonly where: string,
    readonly problem: string,
    readonly valid: string,
  ) {
    super(`${where}: ${problem}. ${valid}`);
  }
}

/** Shapes that do not fit together: a layer's input, a batch, a parameter tensor. */
export class ShapeError extends EngineError {
  static {
    this.prototype.name = 'ShapeError';
  }

  constructor(
    readonly where: string,
    readonly got: readonly number[],
    readonly expected: string,
  ) {
    super(`${where}: got shape [${got.join(', ')}], expected ${expected}`);
  }
}

/** No WebGPU adapter could be found: says why and what to install or enable. */
export class NoAdapterError extends EngineError {
  static {
    this.prototype.name = 'NoAdapterError';
  }
}

/** WebGPU rejected work (validation) or ran out of memory; names the kernel or buffer involved. */
export class KernelError extends EngineError {
  static {
    this.prototype.name = 'KernelError';
  }

  constructor(
    readonly kernel: string,
    readonly kind: 'validation' | 'out-of-memory' | 'internal',
    readonly detail: string,
  ) {
    super(`${kernel}: WebGPU ${kind} error: ${detail}`);
  }
}

/** A dataset larger than one storage binding of the adapter: names the limit and the largest sample count that fits. */
export class DatasetTooLargeError extends ConfigError {
  static {
    this.prototype.name = 'DatasetTooLargeError';
  }

  constructor(
    where: string,
    readonly count: number,
    /** The largest buffer the gather would bind for it (the samples, or the labels when samples are under 4 bytes). */
    readonly bytes: number,
    readonly limit: number,
    readonly largestCount: number,
  ) {
    super(
      where,
      `its ${count} samples need a binding of ${bytes} bytes, more than the adapter's maxStorageBufferBindingSize of ${limit} bytes (${(limit / 2 ** 20).toFixed(1)} MiB), the most one binding can hold`,
      `Upload at most ${largestCount} samples per Dataset (a subset, or smaller images).`,
    );
  }
}

/** The GPU device was lost; results computed after this point would be stale. */
export class DeviceLostError extends EngineError {
  static {
    this.prototype.name = 'DeviceLostError';
  }

  constructor(
    readonly reason: string,
    readonly detail: string,
  ) {
    super(`the GPU device was lost (${reason}): ${detail}. Create a new engine and reload the last checkpoint.`);
  }
}

/** Training produced a loss that is NaN or infinite. */
export class NonFiniteLossError extends EngineError {
  static {
    this.prototype.name = 'NonFiniteLossError';
  }

  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(`the loss became ${loss} at step ${step}; lower the learning rate or check the inputs for NaN`);
  }
}

/** A method was called on an engine or model after dispose(). */
export class DisposedError extends EngineError {
  static {
    this.prototype.name = 'DisposedError';
  }
}
