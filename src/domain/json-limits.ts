/**
 * Limits on JSON that sandi reads from outside (config.json, a reporter file, a sealed record): JSON.parse takes
 * any nesting, but JSON.stringify and every recursive walker overflow the stack on a few thousand levels
 * (`RangeError: Maximum call stack size exceeded`). Check a parsed value here, without recursion, before
 * anything walks it.
 */

/** Deeper than any file sandi writes or reads (config.json nests 4 levels). */
export const JSON_MAX_DEPTH = 32;

/**
 * The path of the first place where `value` nests deeper than `max` arrays/objects (e.g. "terima.paraf[0][0]…"),
 * or null when it does not. Iterative: never overflows the stack, whatever the input.
 */
export function jsonTooDeep(value: unknown, max: number = JSON_MAX_DEPTH): string | null {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return path === '' ? '(root)' : path.length > 120 ? `${path}…` : path;
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x]) : Object.entries(v as Record<string, unknown>).map(([k, x]) => [path === '' ? k : `.${k}`, x]);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [step, child] = entries[i]!;
      // a path of thousands of "[0]" says nothing more than its start: keep it short
      stack.push({ v: child, depth: depth + 1, path: path.length > 120 ? path : `${path}${step}` });
    }
  }
  return null;
}
