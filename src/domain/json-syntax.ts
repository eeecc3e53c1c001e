/**
 * Where JSON text first goes wrong, as an index into it: V8's JSON.parse says "at position N" for some errors
 * but only quotes a few characters of the text for others ("Unexpected token 'x', "{"a": x}" is not valid
 * JSON"), so a hand-edited file's error could not be given a line and column. Run only after JSON.parse has
 * failed. Iterative (an explicit stack), so deep nesting cannot overflow the call stack.
 */

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/** What is wrong at the fault: the suffix of a 'konfig.json.*' message key (src/cli/messages/konfig.ts). */
export type JsonFaultKind = 'unexpectedEnd' | 'unexpectedChar' | 'expectedKey' | 'expectedColon' | 'expectedCommaOrClose' | 'badString' | 'badNumber' | 'textAfter';

/** Where JSON text first goes wrong and what is wrong there; `char` the character found, `close` the bracket awaited. */
export interface JsonFault {
  at: number;
  kind: JsonFaultKind;
  char?: string;
  close?: '}' | ']';
}

/** Index of the first character that is not valid JSON (text.length when it ends too early); null when valid. */
export function jsonSyntaxErrorAt(text: string): number | null {
  return jsonSyntaxFault(text)?.at ?? null;
}

/** The first fault of JSON text (at text.length when it ends too early); null when valid. */
export function jsonSyntaxFault(text: string): JsonFault | null {
  const n = text.length;
  const end = (): JsonFault => ({ at: n, kind: 'unexpectedEnd' });
  const unexpected = (at: number): JsonFault => (at >= n ? end() : { at, kind: 'unexpectedChar', char: text[at]! });
  const inString = (fault: number): JsonFault => (fault >= n ? end() : { at: fault, kind: 'badString' });
  const stack: string[] = [];
  let i = 0;
  let state: 'value' | 'valueOrClose' | 'keyOrClose' | 'key' | 'colon' | 'after' = 'value';

  /** End of the string starting at `at` (a '"'), or the index of its fault as -(index) - 1. */
  const string = (at: number): number => {
    let k = at + 1;
    while (k < n) {
      const ch = text.charCodeAt(k);
      if (ch === 0x22) return k + 1;
      if (ch < 0x20) return -k - 1;
      if (ch === 0x5c) {
        const e = text[k + 1];
        if (e === 'u') {
          for (let h = k + 2; h < k + 6; h++) if (!/^[0-9a-fA-F]$/.test(text[h] ?? '')) return -Math.min(h, n) - 1;
          k += 6;
          continue;
        }
        if (e === undefined || !ESCAPES.has(e)) return -(k + 1) - 1;
        k += 2;
        continue;
      }
      k++;
    }
    return -n - 1;
  };

  for (;;) {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (i >= n) return state === 'after' && stack.length === 0 ? null : end();
    const c = text[i]!;
    switch (state) {
      case 'valueOrClose':
        if (c === ']') {
          stack.pop();
          i++;
          state = 'after';
        } else state = 'value';
        break;
      case 'keyOrClose':
        if (c === '}') {
          stack.pop();
          i++;
          state = 'after';
        } else state = 'key';
        break;
      case 'key': {
        if (c !== '"') return { at: i, kind: 'expectedKey' };
        const stop = string(i);
        if (stop < 0) return inString(-stop - 1);
        i = stop;
        state = 'colon';
        break;
      }
      case 'colon':
        if (c !== ':') return { at: i, kind: 'expectedColon' };
        i++;
        state = 'value';
        break;
      case 'value': {
        if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          state = c === '{' ? 'keyOrClose' : 'valueOrClose';
          break;
        }
        if (c === '"') {
          const stop = string(i);
          if (stop < 0) return inString(-stop - 1);
          i = stop;
        } else if (c === '-' || (c >= '0' && c <= '9')) {
          NUMBER.lastIndex = i;
          const m = NUMBER.exec(text);
          if (m === null) return i + 1 >= n ? end() : { at: i + 1, kind: 'badNumber' };
          i += m[0].length;
        } else {
          const word = c === 't' ? 'true' : c === 'f' ? 'false' : c === 'n' ? 'null' : null;
          if (word === null) return unexpected(i);
          for (let k = 0; k < word.length; k++) if (text[i + k] !== word[k]) return unexpected(i + k);
          i += word.length;
        }
        state = 'after';
        break;
      }
      case 'after': {
        const top = stack[stack.length - 1];
        if (top === undefined) return { at: i, kind: 'textAfter' };
        if (c === ',') {
          i++;
          state = top === '{' ? 'key' : 'value';
        } else if (c === (top === '{' ? '}' : ']')) {
          stack.pop();
          i++;
        } else return { at: i, kind: 'expectedCommaOrClose', close: top === '{' ? '}' : ']' };
        break;
      }
    }
  }
}
