// A shader's interface as the kernel registry needs it: per compute entry point, its buffers (binding,
// kind, and the uniform struct's field offsets) and its workgroup size. It is read from the WGSL by
// wgsl_reflect, and only there: for the built-in shaders the build calls describeShader once and ships
// the result as data (so an app's bundle carries no WGSL parser); for any other shader text the
// registry loads wgsl_reflect on first use and calls the same function.
import type * as WgslReflectModule from 'wgsl_reflect';

export interface UniformField {
  offset: number;
  type: 'u32' | 'i32' | 'f32';
}

export interface ReflectedBinding {
  name: string;
  binding: number;
  /** 'other': a texture or sampler, which kernels here do not bind. */
  kind: 'uniform' | 'storage' | 'read-only-storage' | 'other';
  /** For the uniform: where each field lives in the struct, from the shader's own layout. */
  fields?: Record<string, UniformField>;
  size: number;
}

export interface EntryInterface {
  bindings: ReflectedBinding[];
  /** The first @workgroup_size value when it is a literal; undefined when an override sets it. */
  workgroupSize: number | undefined;
}

/** Every compute entry point of one shader file, by name. */
export type ShaderInterface = Record<string, EntryInterface>;

/** A built-in shader's interface as the build computed it, with the fingerprint of the text it read. */
export interface BuiltShaderInterface {
  fingerprint: string;
  entries: ShaderInterface;
}

/** @internal Reads `code`'s compute entry points with wgsl_reflect (`reflect` is the module itself). */
export function describeShader(code: string, reflect: typeof WgslReflectModule): ShaderInterface {
  const reflection = new reflect.WgslReflect(code);
  const describe = (v: WgslReflectModule.VariableInfo): ReflectedBinding => {
    if (v.resourceType === reflect.ResourceType.Uniform) {
      const fields: Record<string, UniformField> = {};
      for (const m of v.members ?? []) fields[m.name] = { offset: m.offset, type: m.type.name as UniformField['type'] };
      return { name: v.name, binding: v.binding, kind: 'uniform', fields, size: v.size };
    }
    if (v.resourceType === reflect.ResourceType.Storage) {
      return { name: v.name, binding: v.binding, kind: v.access === 'read' ? 'read-only-storage' : 'storage', size: v.size };
    }
    return { name: v.name, binding: v.binding, kind: 'other', size: v.size };
  };
  return Object.fromEntries(
    reflection.entry.compute.map((fn) => [
      fn.name,
      { bindings: fn.resources.map(describe).sort((a, b) => a.binding - b.binding), workgroupSize: finite(fn.workgroupSize?.[0]) },
    ]),
  );
}

function finite(value: number | undefined): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

/** A short, stable fingerprint of shader text (FNV-1a, 32 bits), so edited kernels are measured again. */
export function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
