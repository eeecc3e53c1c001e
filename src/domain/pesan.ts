/**
 * A message carried as data to where it is shown: a catalog key and its parameters, encoded in one string so
 * that it can travel where only text fits (a zod issue's message, a SandiError parameter). Code that must not
 * import the CLI (config/, domain/) says what it means this way; the message catalogs' t() translates an
 * encoded parameter in the operator's language when the message around it is rendered.
 */

/** A NUL never occurs in a file path, and shown values are JSON (NUL escaped): nothing else starts so. */
const MARK = '\u0000pesan:';

export type PesanParams = Record<string, string | number>;

/** The message `key` with `params`, as text to be translated later. */
export function pesan(key: string, params: PesanParams = {}): string {
  return `${MARK}${JSON.stringify([key, params])}`;
}

/** The key and parameters of an encoded message, or null for plain text. */
export function bacaPesan(text: string): { key: string; params: PesanParams } | null {
  if (!text.startsWith(MARK)) return null;
  try {
    const [key, params] = JSON.parse(text.slice(MARK.length)) as [unknown, unknown];
    if (typeof key !== 'string' || params === null || typeof params !== 'object') return null;
    return { key, params: params as PesanParams };
  } catch {
    return null;
  }
}
