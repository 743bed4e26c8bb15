// Text into HTML (and inline SVG, which the HTML parser reads by the same rules): every value that comes
// from data — class names above all, which are folder names a stranger may have chosen — goes through
// escapeHtml, so that `<img src=x onerror=alert(1)>` is shown as those characters and never parsed.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` as HTML text or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A number for an SVG coordinate: two decimals are finer than a pixel, and keep the file small. */
export const coordinate = (value: number) => String(Math.round(value * 100) / 100);

/** "12,345": digits grouped the same way on every machine, so a report reads the same wherever it was written. */
export function grouped(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export const percent = (fraction: number, digits = 1) => `${(fraction * 100).toFixed(digits)}%`;

/** `text` cut to `max` characters (the last one an ellipsis), for labels in SVG, which does not clip text. */
export function shorten(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}
