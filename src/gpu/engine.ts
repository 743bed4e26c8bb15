// The engine: one WebGPU device, its kernel registry, and every buffer made on it (counted, so tests can
// prove a training step allocates nothing and dispose() frees everything).
import { DeviceLostError, DisposedError, KernelError, NoAdapterError } from './errors';
import { Autotuner, type TuningStore } from './autotune';
import { KernelRegistry } from './kernel';

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  description: string;
  /** One line for people: "llvmpipe (mesa, vulkan)". */
  label: string;
  /** True for CPU-emulated adapters (lavapipe, SwiftShader). */
  software: boolean;
}

/** Optional WebGPU features the engine asked for because the adapter has them; kernels that need one are chosen only where it is true. */
export interface EngineFeatures {
  /** Subgroup operations in WGSL (`enable subgroups;`): reductions within a subgroup without workgroup memory. */
  subgroups: boolean;
}

export interface EngineOptions {
  /** The WebGPU entry point; defaults to the browser's navigator.gpu. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /**
   * Where kernel-variant choices are remembered between page loads. By default nothing is written:
   * choices last as long as the engine. `localStorageStore()` keeps them in the page's localStorage.
   */
  tuningStore?: TuningStore;
}

/**
 * How the engine awaits the GPU's promises (completion, maps, error scopes): as they are, by default; in
 * Node, createNodeEngine passes one that keeps Dawn's event-loop ticking from spinning a core (node_waiting.ts).
 */
export type GpuWait = <T>(work: Promise<T>) => Promise<T>;

const asItIs: GpuWait = (work) => work;

export function describeAdapter(info: GPUAdapterInfo): AdapterDescription {
  const vendor = info.vendor || 'unknown vendor';
  const architecture = info.architecture || '';
  const description = info.description || '';
  const software = /swiftshader|llvmpipe|lavapipe/i.test(`${vendor} ${architecture} ${description}`);
  const name = description || architecture || vendor;
  return { vendor, architecture, description, label: `${name} (${vendor}${architecture ? `, ${architecture}` : ''})`, software };
}

/** How long a failed readback waits for device.lost to say whether the device is gone. */
const LOST_REPORT_MS = 500;

export class Engine {
  readonly kernels: KernelRegistry;
  /** Chooses between kernel variants by timing them on this adapter (see autotune.ts). */
  readonly autotune: Autotuner;
  /** The optional features this device has (see EngineFeatures). */
  readonly features: Readonly<EngineFeatures>;
  private readonly buffers = new Set<GPUBuffer>();
  private created = 0;
  private lost: DeviceLostError | undefined;
  private disposed = false;

  private constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterDescription,
    // Dawn in Node tears its instance down when the GPU object is collected, so the engine holds it.
    private readonly gpu: GPU | undefined,
    tuningStore: TuningStore | undefined,
    private readonly gpuWait: GpuWait,
  ) {
    this.features = { subgroups: device.features.has('subgroups') };
    this.kernels = new KernelRegistry(device, undefined, undefined, gpuWait);
    this.autotune = new Autotuner(this, adapter.label, tuningStore);
    void device.lost.then((info) => {
      if (!this.disposed) this.lost = new DeviceLostError(info.reason, info.message || 'no details');
    });
  }

  /** Opens a device on `options.gpu` (or navigator.gpu) with the adapter's largest buffer limits. */
  static async create(options: EngineOptions = {}): Promise<Engine> {
    const gpu = options.gpu ?? (globalThis.navigator as Navigator | undefined)?.gpu;
    if (!gpu) {
      throw new NoAdapterError(
        'WebGPU is not available here (no navigator.gpu). Use Chrome or Edge 113+, Safari 26+ or Firefox 141+, ' +
          'or in Node pass the `webgpu` package\'s GPU object (see createNodeEngine).',
      );
    }
    const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
    if (!adapter) {
      throw new NoAdapterError(
        'WebGPU is present but offered no adapter: the GPU may be blocklisted or WebGPU disabled. ' +
          'In Chrome enable chrome://flags/#enable-unsafe-webgpu (or start it with --enable-unsafe-webgpu).',
      );
    }
    return Engine.fromAdapter(adapter, gpu, options.tuningStore);
  }

  /** An engine on `adapter`; `wait` is how it awaits the GPU (see GpuWait; createNodeEngine passes Node's). */
  static async fromAdapter(adapter: GPUAdapter, gpu?: GPU, tuningStore?: TuningStore, wait: GpuWait = asItIs): Promise<Engine> {
    const optional: GPUFeatureName[] = ['timestamp-query', 'subgroups'];
    const wanted = optional.filter((feature) => adapter.features.has(feature));
    const device = await adapter.requestDevice({
      label: 'webgpu-cnn',
      requiredFeatures: wanted,
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
      },
    });
    return new Engine(device, describeAdapter(adapter.info), gpu, tuningStore, wait);
  }

  /** Resolves as `work` (a promise of this device's: completion, a map, an error scope) does; every wait for the GPU goes through it. */
  wait<T>(work: Promise<T>): Promise<T> {
    return this.gpuWait(work);
  }

  /** Throws if the device was lost or the engine disposed; call before recording work. */
  checkAlive(): void {
    if (this.disposed) throw new DisposedError('this engine was disposed; create a new one');
    if (this.lost) throw this.lost;
  }

  get isLost(): boolean {
    return this.lost !== undefined;
  }

  createBuffer(label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    this.checkAlive();
    // Zero-sized buffers cannot be bound; 4-byte alignment is required for copies.
    const buffer = this.device.createBuffer({ label, size: Math.max(16, Math.ceil(size / 16) * 16), usage });
    this.buffers.add(buffer);
    this.created++;
    return buffer;
  }

  /** A storage buffer holding `data`, usable as a copy source and destination. */
  upload(label: string, data: ArrayBufferView, usage: GPUBufferUsageFlags = 0): GPUBuffer {
    const buffer = this.createBuffer(label, data.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | usage);
    this.write(buffer, 0, data);
    return buffer;
  }

  write(buffer: GPUBuffer, offset: number, data: ArrayBufferView): void {
    this.checkAlive();
    // writeBuffer wants a multiple of 4 bytes; byte datasets may end mid-word.
    const size = Math.ceil(data.byteLength / 4) * 4;
    if (size === data.byteLength) {
      this.device.queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, data.byteLength);
    } else {
      const padded = new Uint8Array(size);
      padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      this.device.queue.writeBuffer(buffer, offset, padded);
    }
  }

  /**
   * Copies `size` bytes at `offset` of `buffer` to the CPU. The copy is queued behind the work already
   * submitted, so it never stalls the queue; only the returned promise waits.
   */
  async read(buffer: GPUBuffer, offset = 0, size = buffer.size - offset): Promise<ArrayBuffer> {
    return (await this.readMany([{ buffer, offset, size }]))[0];
  }

  /**
   * Copies several buffers (whole, or a range of each) to the CPU in one submission, so together they
   * are a snapshot of one moment of the queue (a checkpoint's parameters and optimizer state). The
   * copies are submitted before this returns its promise.
   */
  async readMany(sources: ReadonlyArray<GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number }>): Promise<ArrayBuffer[]> {
    this.checkAlive();
    const ranges = sources.map((s) => {
      const { buffer, offset = 0, size = buffer.size - offset } = 'buffer' in s ? s : { buffer: s };
      return { buffer, offset, size };
    });
    const label = `${ranges.map((r) => r.buffer.label).join(', ')} readback`;
    const staging = ranges.map(({ buffer, size }) => this.device.createBuffer({ label: `${buffer.label} readback`, size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }));
    try {
      const encoder = this.device.createCommandEncoder({ label });
      ranges.forEach(({ buffer, offset, size }, i) => encoder.copyBufferToBuffer(buffer, offset, staging[i], 0, size));
      this.device.queue.submit([encoder.finish()]);
      await this.mapForReading(label, staging);
      return staging.map((b) => b.getMappedRange().slice(0));
    } finally {
      for (const b of staging) b.destroy();
    }
  }

  /**
   * The first `size` bytes of `staging`, a MAP_READ buffer the caller keeps and has copied into (so a
   * repeated readback allocates no GPU memory); it is unmapped again before this returns.
   */
  async readStaging(staging: GPUBuffer, size: number): Promise<ArrayBuffer> {
    this.checkAlive();
    await this.mapForReading(staging.label, [staging]);
    try {
      return staging.getMappedRange(0, size).slice(0);
    } finally {
      staging.unmap();
    }
  }

  private async mapForReading(label: string, staging: readonly GPUBuffer[]): Promise<void> {
    try {
      await this.wait(Promise.all(staging.map((b) => b.mapAsync(GPUMapMode.READ))));
    } catch (e) {
      // A failed map is an error, never a page of zeros. A lost device fails its maps before it
      // reports the loss (Dawn, real GPUs), so give the report a moment to arrive and name it.
      if (!this.disposed && !this.lost) await Promise.race([this.device.lost, new Promise((r) => setTimeout(r, LOST_REPORT_MS))]);
      this.checkAlive();
      throw new KernelError(label, 'internal', (e as Error).message);
    }
  }

  /** Runs `record` in error scopes and throws a KernelError naming `label` if WebGPU rejected it. */
  async checked<T>(label: string, record: () => T): Promise<T> {
    this.checkAlive();
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const result = record();
    const [validation, memory] = await this.wait(Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]));
    const failure = validation ?? memory;
    if (failure) throw new KernelError(label, failure === memory ? 'out-of-memory' : 'validation', failure.message);
    this.checkAlive();
    return result;
  }

  /** Destroys one buffer made by this engine. */
  release(buffer: GPUBuffer): void {
    if (this.buffers.delete(buffer)) buffer.destroy();
  }

  /** Live buffers and their bytes, and how many buffers were ever created (for leak and per-step tests). */
  bufferStats(): { live: number; bytes: number; created: number } {
    let bytes = 0;
    for (const b of this.buffers) bytes += b.size;
    return { live: this.buffers.size, bytes, created: this.created };
  }

  /** Frees every buffer and the device. Any later use throws DisposedError. */
  dispose(): void {
    if (this.disposed) return;
    for (const b of this.buffers) b.destroy();
    this.buffers.clear();
    this.disposed = true;
    this.device.destroy();
    void this.gpu;
  }
}
