// The kernel registry: builds each shader's bind-group layout and uniform layout from its interface
// (shader_interface.ts: read from the WGSL by wgsl_reflect, at build time for the built-in shaders),
// and compiles each (file, entry point, constants) pipeline once.
import type { GpuWait } from './engine';
import { ConfigError, KernelError } from './errors';
import type { BufferGroup } from './buffer_group';
import { shaderInterfaces, shaderLoaders } from './shader_sources';
import { describeShader, fingerprint, type BuiltShaderInterface, type ReflectedBinding, type ShaderInterface } from './shader_interface';

/** A range of a buffer, bound to one shader variable. Offsets must be multiples of 256 bytes. */
export interface BufferSlice {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}
export type Resource = GPUBuffer | BufferSlice;

// WebGPU caps each dispatch dimension at 65535 workgroups; wider grids fold into z, and the shaders
// unfold them with num_workgroups.
const MAX_GROUPS_PER_DIMENSION = 65535;

export function gridFor(threads: number, workgroupSize: number): [number, number] {
  const groups = Math.max(1, Math.ceil(threads / workgroupSize));
  if (groups <= MAX_GROUPS_PER_DIMENSION) return [groups, 1];
  const y = Math.ceil(groups / MAX_GROUPS_PER_DIMENSION);
  return [Math.ceil(groups / y), y];
}

export type Constants = Record<string, number | boolean>;

export class Kernel {
  readonly workgroupSize: number;
  constructor(
    readonly device: GPUDevice,
    readonly name: string,
    readonly pipeline: GPUComputePipeline,
    readonly layout: GPUBindGroupLayout,
    readonly bindings: readonly ReflectedBinding[],
    workgroupSize: number,
  ) {
    this.workgroupSize = workgroupSize;
  }

  /**
   * Creates, once, what a dispatch needs: the uniform buffer filled with `uniforms` and the bind group
   * over `resources`. Every shader variable must be given, and nothing else.
   */
  bind(memory: BufferGroup, label: string, resources: Record<string, Resource>, uniforms: Record<string, number> = {}): BoundKernel {
    const where = `${label} (${this.name})`;
    const names = new Set(this.bindings.filter((b) => b.kind !== 'uniform').map((b) => b.name));
    for (const given of Object.keys(resources)) {
      if (!names.has(given)) {
        throw new ConfigError(where, `no shader variable named "${given}"`, `It binds: ${[...names].join(', ')}.`);
      }
    }
    let uniformBuffer: GPUBuffer | undefined;
    const entries: GPUBindGroupEntry[] = this.bindings.map((b) => {
      if (b.kind === 'uniform') {
        uniformBuffer = this.createUniformBuffer(memory, where, uniforms);
        return { binding: b.binding, resource: { buffer: uniformBuffer } };
      }
      const r = resources[b.name];
      if (!r) throw new ConfigError(where, `shader variable "${b.name}" was not bound`, `Bind all of: ${[...names].join(', ')}.`);
      const resource = 'buffer' in r ? { buffer: r.buffer, offset: r.offset, size: r.size } : { buffer: r };
      return { binding: b.binding, resource };
    });
    const bindGroup = this.device.createBindGroup({ label: where, layout: this.layout, entries });
    return new BoundKernel(this, where, bindGroup, uniformBuffer);
  }

  /** The uniform struct's bytes for `values`, laid out as the shader declares it. */
  encodeUniforms(where: string, values: Record<string, number>): ArrayBuffer {
    const uniform = this.bindings.find((b) => b.kind === 'uniform');
    if (!uniform) throw new ConfigError(where, 'the kernel has no uniforms', 'Bind it without uniform values.');
    const data = new DataView(new ArrayBuffer(Math.max(16, Math.ceil(uniform.size / 16) * 16)));
    const fields = uniform.fields!;
    for (const [field, { offset, type }] of Object.entries(fields)) {
      const value = values[field];
      if (value === undefined || !Number.isFinite(value)) {
        throw new ConfigError(where, `uniform "${field}" is ${value}`, `Give a finite number for each of: ${Object.keys(fields).join(', ')}.`);
      }
      if (type === 'f32') data.setFloat32(offset, value, true);
      else if (type === 'i32') data.setInt32(offset, value, true);
      else data.setUint32(offset, value, true);
    }
    return data.buffer;
  }

  private createUniformBuffer(memory: BufferGroup, where: string, values: Record<string, number>): GPUBuffer {
    const data = this.encodeUniforms(where, values);
    const buffer = memory.createBuffer(`${where} uniforms`, data.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }
}

/** A named piece of recorded work: one dispatch, or a sequence of them (a layer's pass, the update). */
export interface Stage {
  name: string;
  /** Arithmetic it does (a multiply-add counts 2), for achieved-rate reports; 0 where negligible. */
  flops: number;
  record(pass: GPUComputePassEncoder): void;
  /**
   * A cheaper run of the same kernel over `share` of its workgroups (a cut grid; what it writes is a part
   * of what the stage writes), so the autotuner can reject a clearly slow candidate without a full run.
   */
  sample?: { share: number; record(pass: GPUComputePassEncoder): void };
}

/** A sample's grid: the largest of the three dimensions cut to an eighth. */
const SAMPLE_CUT = 8;

/** One kernel bound to its buffers, ready to record as many times as needed. */
export class BoundKernel {
  constructor(
    readonly kernel: Kernel,
    readonly label: string,
    readonly bindGroup: GPUBindGroup,
    readonly uniformBuffer: GPUBuffer | undefined,
  ) {}

  /**
   * Records a dispatch of at least `threads` invocations along x (folded into z past 65535 workgroups),
   * times `blocks` workgroups along y (kernels that give each workgroup one block of channels).
   */
  record(pass: GPUComputePassEncoder, threads: number, blocks = 1): void {
    const [x, z] = gridFor(threads, this.kernel.workgroupSize);
    pass.setPipeline(this.kernel.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(x, blocks, z);
  }

  /** This kernel's dispatch over `threads` invocations and `blocks` channel blocks, as a stage. */
  dispatch(threads: number, blocks = 1, flops = 0): Stage {
    return { name: this.label, flops, record: (pass) => this.record(pass, threads, blocks) };
  }

  /** A dispatch of exactly x × y × z workgroups, as a stage (tiled kernels that map the grid themselves). */
  dispatchGroups(x: number, y: number, z: number, flops = 0): Stage {
    const record = (pass: GPUComputePassEncoder, grid: number[]) => {
      pass.setPipeline(this.kernel.pipeline);
      pass.setBindGroup(0, this.bindGroup);
      pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    };
    const full = [x, y, z];
    const largest = full.indexOf(Math.max(...full));
    const cut = full.map((d, i) => (i === largest ? Math.ceil(d / SAMPLE_CUT) : d));
    const share = (cut[0] * cut[1] * cut[2]) / (x * y * z);
    return {
      name: this.label,
      flops,
      record: (pass) => record(pass, full),
      sample: share < 1 ? { share, record: (pass) => record(pass, cut) } : undefined,
    };
  }

  /** Replaces the uniform values (a hyperparameter change); queued like any other write. */
  writeUniforms(values: Record<string, number>): void {
    this.kernel.device.queue.writeBuffer(this.uniformBuffer!, 0, this.kernel.encodeUniforms(this.label, values));
  }

}

const DEFAULT_WORKGROUP_SIZE = 64;

export class KernelRegistry {
  private readonly interfaces = new Map<string, Promise<ShaderInterface>>();
  private readonly kernels = new Map<string, Promise<Kernel>>();
  /** Each shader's text, or what loads it (the built-in shaders, until a kernel of theirs is compiled). */
  private readonly sources: Record<string, string | (() => Promise<string>)>;
  private readonly texts = new Map<string, Promise<string>>();
  constructor(
    private readonly device: GPUDevice,
    sources: Readonly<Record<string, string | (() => Promise<string>)>> = shaderLoaders,
    private readonly built: Readonly<Record<string, BuiltShaderInterface>> = shaderInterfaces,
    /** How pipeline creation is awaited (the engine's GpuWait). */
    private readonly wait: GpuWait = (work) => work,
  ) {
    this.sources = { ...sources };
  }

  /**
   * Adds a shader file of a layer defined outside the engine (its WGSL text), so that `get(file, …)` compiles
   * its entry points with layouts read from the text (wgsl_reflect, loaded on first use), as for the built-in
   * shaders. Defining the same text twice is harmless; a different text under a taken name is refused.
   */
  define(file: string, code: string): void {
    if (file in this.sources && this.fingerprint(file) !== fingerprint(code)) {
      throw new ConfigError(`kernel "${file}"`, 'a different shader already has this name', `Choose a name not among: ${Object.keys(this.sources).join(', ')}.`);
    }
    if (!(file in this.sources)) this.sources[file] = code;
  }

  /** A fingerprint of `file`'s source, for remembering measurements of its kernels. */
  fingerprint(file: string): string {
    const source = this.sources[file];
    if (typeof source === 'string') return fingerprint(source);
    return this.built[file]?.fingerprint ?? fingerprint('');
  }

  /** The compiled kernel for `file`'s `entry` with `constants`; compiled once, asynchronously. */
  get(file: string, entry: string, constants: Constants = {}): Promise<Kernel> {
    const key = `${file}.${entry}(${Object.entries(constants).sort().map(([k, v]) => `${k}=${v}`).join(',')})`;
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = this.compile(file, entry, constants);
      this.kernels.set(key, kernel);
    }
    return kernel;
  }

  private source(file: string): string | (() => Promise<string>) {
    const source = this.sources[file];
    if (source === undefined) {
      throw new ConfigError(`kernel "${file}"`, 'no such shader', `Shaders: ${Object.keys(this.sources).join(', ')}.`);
    }
    return source;
  }

  /** `file`'s text, loaded once. */
  private text(file: string): Promise<string> {
    let text = this.texts.get(file);
    if (!text) {
      const source = this.source(file);
      text = typeof source === 'string' ? Promise.resolve(source) : source();
      this.texts.set(file, text);
    }
    return text;
  }

  /** The interface the build read from this very text, else one read now (wgsl_reflect, loaded once). */
  private interfaceOf(file: string): Promise<ShaderInterface> {
    let found = this.interfaces.get(file);
    if (!found) {
      const source = this.source(file);
      const built = this.built[file];
      // A built-in shader's loader gives the text the build read its interface from.
      found = built && (typeof source !== 'string' || built.fingerprint === fingerprint(source))
        ? Promise.resolve(built.entries)
        : Promise.all([this.text(file), import('wgsl_reflect')]).then(([code, reflect]) => describeShader(code, reflect));
      this.interfaces.set(file, found);
    }
    return found;
  }

  private async compile(file: string, entry: string, constants: Constants): Promise<Kernel> {
    const name = `${file}.${entry}`;
    const entries = await this.interfaceOf(file);
    const fn = entries[entry];
    if (!fn) {
      throw new ConfigError(`kernel "${file}"`, `no compute entry point "${entry}"`, `Entry points: ${Object.keys(entries).join(', ')}.`);
    }
    const other = fn.bindings.find((b) => b.kind === 'other');
    if (other) throw new ConfigError(`shader variable "${other.name}"`, 'is not a buffer', 'Kernels here bind only uniform and storage buffers.');
    const bindings = fn.bindings;
    const numericConstants = Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, Number(v)]));
    const device = this.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const layout = device.createBindGroupLayout({
      label: name,
      entries: bindings.map((b) => ({ binding: b.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.kind as GPUBufferBindingType } })),
    });
    const module = device.createShaderModule({ label: file, code: await this.text(file) });
    const pipelinePromise = device.createComputePipelineAsync({
      label: name,
      layout: device.createPipelineLayout({ label: name, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: entry, constants: numericConstants },
    });
    const validation = this.wait(device.popErrorScope());
    const memory = this.wait(device.popErrorScope());
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await this.wait(pipelinePromise);
    } catch (e) {
      // The pipeline's error only says the module is invalid; the module's own messages say why.
      const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
      const detail = errors.length ? errors.map((m) => `${file}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}`).join('; ') : (e as Error).message;
      throw new KernelError(name, 'validation', detail);
    }
    const invalid = await validation;
    const outOfMemory = await memory;
    if (invalid) throw new KernelError(name, 'validation', invalid.message);
    if (outOfMemory) throw new KernelError(name, 'out-of-memory', outOfMemory.message);
    const workgroupSize = Number(constants.WORKGROUP_SIZE ?? fn.workgroupSize ?? DEFAULT_WORKGROUP_SIZE);
    return new Kernel(device, name, pipeline, layout, bindings, Number.isFinite(workgroupSize) ? workgroupSize : DEFAULT_WORKGROUP_SIZE);
  }
}
