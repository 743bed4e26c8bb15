// The training report's pieces, without a GPU: the page is self-contained (no URL of any kind), class names
// are text however hostile, every chart draws one point per value it was given, the PNG encoder writes what
// a PNG decoder (zlib's inflate) reads back, the ticks are round, the UMAP layout is seeded.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/gpu/errors';
import { Random } from '../src/random';
import { confusionCounts, perClassAccuracy } from '../src/report/confusion';
import { umapLayout } from '../src/report/embedding';
import { escapeHtml, shorten } from '../src/report/html';
import { planarToRaw } from '../src/report/mistakes';
import { encodePng } from '../src/images/png_encode';
import { renderReport } from '../src/report/report';
import { niceTicks } from '../src/report/ticks';
import { checkReportPath } from '../src/report/write';
import { HOSTILE, sampleReport } from './support/report_data';

const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;
/** The markup of the element with this id (up to the next section), so that counts are per chart. */
const part = (html: string, id: string) => html.slice(html.indexOf(`id="${id}"`), html.indexOf('</figure>', html.indexOf(`id="${id}"`)) + 9);

describe('renderReport', () => {
  it('draws one point per value given, in every chart', () => {
    const data = sampleReport({ classes: 10, count: 600, logs: 24, mapped: 500, shown: 40 });
    const html = renderReport(data);
    expect(count(part(html, 'loss'), /<circle class="point"/g)).toBe(24);
    // The accuracies measured while training, and the final one.
    expect(count(part(html, 'accuracy'), /<circle class="point"/g)).toBe(25);
    expect(count(part(html, 'confusion'), /<td class="cell"/g)).toBe(100);
    expect(count(part(html, 'per-class'), /<rect class="point"/g)).toBe(10);
    expect(count(html, /<figure class="mistake">/g)).toBe(40);
    const map = html.slice(html.indexOf('id="map"'));
    expect(count(map, /<circle class="point/g)).toBe(500);
    expect(count(map, /<circle class="point wrong"/g)).toBe(data.map!.labels.length - count(map, /<circle class="point"/g));
  });

  it('counts the confusion matrix, and shows it', () => {
    const labels = [0, 0, 1, 1, 1, 2];
    const predictions = [0, 1, 1, 1, 2, 2];
    expect(confusionCounts(labels, predictions, 3)).toEqual([[1, 1, 0], [0, 2, 1], [0, 0, 1]]);
    expect(perClassAccuracy(confusionCounts(labels, predictions, 4))).toEqual([0.5, 2 / 3, 1, undefined]);
    expect(() => confusionCounts([0, 3], [0, 1], 3)).toThrow(/sample 1 has label 3 and prediction 1; both must be below 3/);
    expect(() => confusionCounts([0], [0, 1], 3)).toThrow(/1 labels but 2 predictions/);
    const data = sampleReport({ classes: 3, count: 30, logs: 2, mapped: 30, shown: 5 });
    const html = renderReport(data);
    const counts = confusionCounts(data.evaluation.labels, data.evaluation.predictions, 3);
    const cells = [...part(html, 'confusion').matchAll(/<td class="cell"[^>]*>([\d,]*)<\/td>/g)].map((m) => Number(m[1] || 0));
    expect(cells).toEqual(counts.flat());
    const right = counts.reduce((a, row, i) => a + row[i], 0);
    expect(html).toContain(`${(100 * right / 30).toFixed(2)}% of 30 test images right after 100 steps`);
  });

  it('shows hostile class names as text, never as markup', () => {
    const classNames = [HOSTILE, 'a "quoted" & \'single\'', '</svg><script>alert(2)</script>'];
    const html = renderReport(sampleReport({ classes: 3, count: 60, logs: 3, mapped: 60, shown: 10, classNames }));
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain('&lt;/svg&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).toContain('a &quot;quoted&quot; &amp; &#39;single&#39;');
    // Every tag the page has is one the renderer writes: none comes from the data.
    const tags = new Set([...html.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(['b', 'body', 'br', 'circle', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'g', 'h1', 'h2', 'head', 'header', 'html', 'i', 'img', 'li', 'line', 'meta', 'p', 'polyline', 'rect', 'section', 'span', 'style', 'svg', 'table', 'td', 'text', 'th', 'title', 'tr', 'ul']);
  });

  it('refers to nothing outside itself', () => {
    const html = renderReport(sampleReport({ classes: 10, count: 200, logs: 5, mapped: 200, shown: 40, shape: [3, 12, 10] }));
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/<(script|link|iframe|object|embed|base)\b/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    // Every src and href is a data URI: no path, no "//host", nothing to fetch.
    const references = [...html.matchAll(/\s(?:src|href|xlink:href|srcset|action|poster)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);
    expect(references.length).toBe(40);
    for (const reference of references) expect(reference.startsWith('data:image/png;base64,'), reference.slice(0, 40)).toBe(true);
    expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
  });

  it('says so where there is nothing to draw', () => {
    const data = sampleReport({ classes: 2, count: 4, logs: 0, mapped: 0, shown: 0 });
    data.map = undefined;
    data.mapNote = `No map: ${HOSTILE}`;
    data.evaluation.predictions = Uint32Array.from(data.evaluation.labels);
    data.mistakes = { shown: [], total: 0 };
    const html = renderReport(data);
    expect(part(html, 'loss')).toContain('No loss was logged');
    // The final accuracy is still a point.
    expect(count(part(html, 'accuracy'), /<circle class="point"/g)).toBe(1);
    expect(html).toContain('No mistakes on the 4 test images.');
    expect(html).toContain(`No map: ${escapeHtml(HOSTILE)}`);
  });
});

describe('encodePng', () => {
  /** The pixels of a PNG written by encodePng, read back by zlib, every chunk's CRC checked. */
  function decode(png: Uint8Array): { width: number; height: number; colourType: number; rows: Uint8Array[] } {
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    const chunks: Array<{ type: string; data: Uint8Array }> = [];
    for (let at = 8; at < png.length;) {
      const length = view.getUint32(at);
      const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
      expect(view.getUint32(at + 8 + length), `${type} CRC`).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
      chunks.push({ type, data: png.subarray(at + 8, at + 8 + length) });
      at += 12 + length;
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const header = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset);
    const [width, height] = [header.getUint32(0), header.getUint32(4)];
    expect([...chunks[0].data.subarray(8)].filter((_, i) => i !== 1)).toEqual([8, 0, 0, 0]);
    const raw = inflateSync(chunks[1].data);
    const colourType = chunks[0].data[9];
    const row = width * (colourType === 0 ? 1 : 3) + 1;
    expect(raw.length).toBe(row * height);
    const rows = Array.from({ length: height }, (_, y) => {
      expect(raw[y * row], 'filter type').toBe(0);
      return new Uint8Array(raw.subarray(y * row + 1, (y + 1) * row));
    });
    return { width, height, colourType, rows };
  }

  it.each([
    [1, 28, 28],
    [3, 7, 5],
        [3, 150, 170],
  ] as const)('writes a %i×%i×%i image that zlib reads back exactly', (channels, height, width) => {
    const random = new Random(channels * height);
    const planar = Uint8Array.from({ length: channels * height * width }, () => random.below(256));
    const decoded = decode(encodePng(planarToRaw(planar, [channels, height, width])));
    expect([decoded.width, decoded.height, decoded.colourType]).toEqual([width, height, channels === 1 ? 0 : 2]);
    const interleaved = Array.from({ length: height * width * channels }, (_, i) => {
      const [pixel, c] = [Math.floor(i / channels), i % channels];
      return planar[c * height * width + pixel];
    });
    expect(decoded.rows.flatMap((row) => [...row])).toEqual(interleaved);
  });

  it('refuses sizes that do not match', () => {
    expect(() => encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array(3) })).toThrow(/3 bytes for 2 × 2 × 1;/);
    expect(() => planarToRaw(new Uint8Array(8), [2, 2, 2])).toThrow(/give \[1 or 3, height, width\]/);
  });
});

describe('helpers', () => {
  it('chooses round ticks that cover the data', () => {
    expect(niceTicks(0, 1200)).toEqual([0, 200, 400, 600, 800, 1000, 1200]);
    expect(niceTicks(0, 2.31)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceTicks(0.9123, 1)).toEqual([0.9, 0.92, 0.94, 0.96, 0.98, 1]);
    expect(niceTicks(0, 7)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(5, 5)).toEqual([4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]);
  });

  it('escapes and shortens text', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(shorten('abcdef', 4)).toBe('abc…');
    expect(shorten('abcd', 4)).toBe('abcd');
  });
});

describe('umapLayout', () => {
  /** Three tight clusters of 20 points in 50 dimensions, far apart. */
  function clusters(): { features: Float32Array; labels: number[] } {
    const random = new Random(3);
    const centres = Array.from({ length: 3 }, () => Array.from({ length: 50 }, () => random.uniform(-10, 10)));
    const labels = Array.from({ length: 60 }, (_, i) => i % 3);
    const features = Float32Array.from(labels.flatMap((l) => centres[l].map((v) => v + random.uniform(-0.5, 0.5))));
    return { features, labels };
  }

  it('is reproducible from its seed, and keeps clusters apart', async () => {
    const { features, labels } = clusters();
    const first = await umapLayout(features, 60, 50, 7);
    expect(await umapLayout(features, 60, 50, 7)).toEqual(first);
    expect(await umapLayout(features, 60, 50, 8)).not.toEqual(first);
    expect(first.every(Number.isFinite)).toBe(true);
    // Each point's nearest neighbour on the map is of its own cluster.
    for (let i = 0; i < 60; i++) {
      let [nearest, best] = [-1, Infinity];
      for (let j = 0; j < 60; j++) {
        const d = (first[2 * i] - first[2 * j]) ** 2 + (first[2 * i + 1] - first[2 * j + 1]) ** 2;
        if (j !== i && d < best) [nearest, best] = [j, d];
      }
      expect(labels[nearest], `point ${i}`).toBe(labels[i]);
    }
  });

  it('refuses too few vectors or a wrong length', async () => {
    await expect(umapLayout(new Float32Array(4), 1, 4, 1)).rejects.toThrow(/at least 2 vectors/);
    await expect(umapLayout(new Float32Array(5), 2, 2, 1)).rejects.toThrow(/5 values for 2 vectors of 2/);
  });
});

describe('checkReportPath', () => {
  const folder = mkdtempSync(join(tmpdir(), 'report-path-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('accepts a file in a writable folder and refuses the rest', () => {
    expect(() => checkReportPath(join(folder, 'report.html'))).not.toThrow();
    mkdirSync(join(folder, 'sub'));
    expect(() => checkReportPath(join(folder, 'sub'))).toThrow(ConfigError);
    expect(() => checkReportPath(join(folder, 'sub'))).toThrow(/it is a folder/);
    expect(() => checkReportPath(join(folder, 'missing', 'report.html'))).toThrow(/the folder .*missing does not exist/);
  });
});
