// A JSON reader for untrusted headers. JSON.parse keeps the last of two equal keys without a word, so
// a header could name one tensor twice and have the second silently win; this reader refuses that. It
// also bounds nesting (a header needs three levels), so a hostile "[[[[…" fails fast instead of deep.
// Objects become Maps, so no key (such as "__proto__") is special.

export type JsonValue = null | boolean | number | string | JsonValue[] | Map<string, JsonValue>;

export class JsonSyntaxError extends Error {
  constructor(
    readonly at: number,
    problem: string,
    /** Set when the problem is a key given twice in one object. */
    readonly duplicateKey?: string,
    /** Nesting depth of that object (0 for the top level). */
    readonly depth = 0,
  ) {
    super(`${problem} at character ${at}`);
  }
}

const MAX_DEPTH = 64;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

export function parseStrictJson(text: string): JsonValue {
  let at = 0;
  const fail = (problem: string): never => {
    throw new JsonSyntaxError(at, problem);
  };
  const space = () => {
    while (at < text.length) {
      const c = text.charCodeAt(at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      at++;
    }
  };
  const literal = (word: string, value: JsonValue): JsonValue => {
    if (!text.startsWith(word, at)) fail('unexpected text');
    at += word.length;
    return value;
  };
  // Scanned by hand rather than by one regular expression, whose backtracking stack a long string could exhaust.
  const string = (): string => {
    const start = at++;
    for (;;) {
      if (at >= text.length) fail('an unterminated string');
      const c = text.charCodeAt(at);
      if (c === 0x22) break;
      if (c < 0x20) fail('a control character in a string');
      if (c === 0x5c) {
        ESCAPE.lastIndex = at;
        if (!ESCAPE.test(text)) fail('a malformed escape');
        at = ESCAPE.lastIndex;
      } else at++;
    }
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (depth: number): JsonValue => {
    space();
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = text[at];
    if (c === '{') {
      at++;
      const object = new Map<string, JsonValue>();
      space();
      if (text[at] === '}') {
        at++;
        return object;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail('expected a key');
        const keyAt = at;
        const key = string();
        if (object.has(key)) throw new JsonSyntaxError(keyAt, `the key ${JSON.stringify(key)} appears twice`, key, depth);
        space();
        if (text[at] !== ':') fail('expected ":"');
        at++;
        object.set(key, value(depth + 1));
        space();
        if (text[at] === ',') at++;
        else if (text[at] === '}') {
          at++;
          return object;
        } else fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      at++;
      const array: JsonValue[] = [];
      space();
      if (text[at] === ']') {
        at++;
        return array;
      }
      for (;;) {
        array.push(value(depth + 1));
        space();
        if (text[at] === ',') at++;
        else if (text[at] === ']') {
          at++;
          return array;
        } else fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (!match) return fail(at >= text.length ? 'unexpected end' : 'unexpected character');
    at = NUMBER.lastIndex;
    return Number(match[0]);
  };
  const result = value(0);
  space();
  if (at !== text.length) fail('text after the value');
  return result;
}
