// Buffers that live and die together (one plan, one optimizer's state): released in one call, so
// disposing a model or a plan provably returns every byte it took.
import type { Engine } from './engine';

export class BufferGroup {
  private readonly buffers: GPUBuffer[] = [];

  constructor(readonly engine: Engine) {}

  createBuffer(label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const buffer = this.engine.createBuffer(label, size, usage);
    this.buffers.push(buffer);
    return buffer;
  }

  /** A storage buffer of `floats` f32 values (also usable as a copy source and destination). */
  floats(label: string, floats: number): GPUBuffer {
    return this.createBuffer(label, floats * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
  }

  dispose(): void {
    for (const buffer of this.buffers.splice(0)) this.engine.release(buffer);
  }
}
