// A generated image-classification dataset, so the image path can be proven without a download: coloured
// shapes, one class per shape, each drawn at a random position, size and rotation, in a random colour on
// a random two-colour gradient, with per-pixel noise. Written as PNG files in torchvision's ImageFolder
// layout (one folder per class). Everything follows from the seed.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePng } from '../src/images/png_encode';
import { Random } from '../src/random';

/** Whether the point (x, y) of the shape's own frame (radius 1, centred at 0) is inside it. */
const SHAPES: Record<string, (x: number, y: number) => boolean> = {
  circle: (x, y) => x * x + y * y <= 1,
  cross: (x, y) => (Math.abs(x) <= 0.3 && Math.abs(y) <= 1) || (Math.abs(y) <= 0.3 && Math.abs(x) <= 1),
  ring: (x, y) => x * x + y * y <= 1 && x * x + y * y >= 0.45,
  square: (x, y) => Math.abs(x) <= 0.75 && Math.abs(y) <= 0.75,
  star: (x, y) => insidePolygon(x, y, STAR),
  triangle: (x, y) => insidePolygon(x, y, regularPolygon(3, 1)),
};

/** The class names, in the order torchvision's ImageFolder gives them labels (sorted). */
export const SHAPE_CLASSES = Object.keys(SHAPES).sort();

const STAR = Array.from({ length: 10 }, (_, i) => polar(i % 2 === 0 ? 1 : 0.42, (Math.PI * i) / 5 - Math.PI / 2));

function polar(r: number, angle: number): [number, number] {
  return [r * Math.cos(angle), r * Math.sin(angle)];
}

function regularPolygon(sides: number, r: number): [number, number][] {
  return Array.from({ length: sides }, (_, i) => polar(r, (2 * Math.PI * i) / sides - Math.PI / 2));
}

/** Even-odd rule: a ray to the right crosses the outline an odd number of times. */
function insidePolygon(x: number, y: number, points: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i];
    const [xj, yj] = points[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** One picture of `shape`, `size × size` RGB bytes, row by row. */
export function drawShape(shape: string, size: number, random: Random): Uint8Array {
  const inside = SHAPES[shape];
  const radius = random.uniform(0.28, 0.45) * size;
  const cx = random.uniform(radius * 0.8, size - radius * 0.8);
  const cy = random.uniform(radius * 0.8, size - radius * 0.8);
  const angle = random.uniform(0, 2 * Math.PI);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  // A dark gradient behind a bright shape of any hue: colours vary freely, the shape always stands out.
  const from = [0, 1, 2].map(() => random.uniform(0, 110));
  const to = from.map((v) => Math.min(130, Math.max(0, v + random.uniform(-40, 40))));
  const gradient = random.uniform(0, 2 * Math.PI);
  const luma = (rgb: number[]) => 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
  const background = luma(from.map((v, c) => (v + to[c]) / 2));
  let colour: number[];
  do {
    const hue = [0, 1, 2].map(() => random.uniform(0, 1));
    const brightest = random.uniform(200, 255) / Math.max(...hue);
    colour = hue.map((v) => v * brightest);
  } while (luma(colour) - background < 70);
  const noise = random.uniform(0, 16);
  const out = new Uint8Array(size * size * 3);
  const SUB = 4; // 4 × 4 samples per pixel, so edges are antialiased
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let covered = 0;
      for (let s = 0; s < SUB * SUB; s++) {
        const dx = px + ((s % SUB) + 0.5) / SUB - cx;
        const dy = py + (Math.floor(s / SUB) + 0.5) / SUB - cy;
        if (inside((cos * dx + sin * dy) / radius, (-sin * dx + cos * dy) / radius)) covered++;
      }
      const t = 0.5 + ((px / size - 0.5) * Math.cos(gradient) + (py / size - 0.5) * Math.sin(gradient));
      const alpha = covered / (SUB * SUB);
      for (let c = 0; c < 3; c++) {
        const back = from[c] + (to[c] - from[c]) * t;
        const value = back + (colour[c] - back) * alpha + random.uniform(-noise, noise);
        out[(py * size + px) * 3 + c] = Math.min(255, Math.max(0, Math.round(value)));
      }
    }
  }
  return out;
}

export interface ShapesOptions {
  /** The folder to write into (made if missing): out/<class>/<index>.png. */
  out: string;
  perClass: number;
  seed: number;
  /** Side of the square pictures (default 32). */
  size?: number;
}

/** Writes `perClass` PNG pictures of every class; returns the files written. */
export async function makeShapesDataset(options: ShapesOptions): Promise<number> {
  const size = options.size ?? 32;
  const random = new Random(options.seed);
  let written = 0;
  for (const shape of SHAPE_CLASSES) {
    await mkdir(join(options.out, shape), { recursive: true });
    for (let i = 0; i < options.perClass; i++) {
      const png = encodePng({ width: size, height: size, channels: 3, data: drawShape(shape, size, random) });
      await writeFile(join(options.out, shape, `${String(i).padStart(5, '0')}.png`), png);
      written++;
    }
  }
  return written;
}
