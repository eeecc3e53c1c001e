/**
 * Base64 in lines of 76 characters + CRLF (RFC 2045), for the protected-headers entity's document part.
 *
 * The base64 itself is Node's (simdutf, ~1% of a 256 MiB encrypt's CPU). Putting in the line breaks was
 * the expensive part: 4.4 million lines for 256 MiB, ~9% of the encrypt's CPU with a JavaScript copy loop
 * and more with string slicing + join. The lines are moved instead by a 90-byte WebAssembly function that
 * does one `memory.copy` of 76 bytes and one 16-bit CRLF store per line (issue 16):
 *
 *   (func (export "wrap") (param $src i32) (param $dst i32) (param $lines i32)
 *     (block (br_if 0 (i32.eqz (local.get $lines)))
 *       (loop
 *         (memory.copy (local.get $dst) (local.get $src) (i32.const 76))
 *         (i32.store16 offset=76 align=1 (local.get $dst) (i32.const 0x0a0d))   ;; "\r\n"
 *         (local.set $src (i32.add (local.get $src) (i32.const 76)))
 *         (local.set $dst (i32.add (local.get $dst) (i32.const 78)))
 *         (br_if 0 (local.tee $lines (i32.sub (local.get $lines) (i32.const 1)))))))
 *
 * Memory: one page-aligned region of the module's memory for a slice's base64 text, one for its lines.
 * The output of every call is a fresh buffer (copied out of the module's memory), never a view into it.
 * test/unit/kriptogram-protected-headers.test.ts compares it with a reference encoding for many chunkings.
 */

/** 57 bytes of input make one line of 76 base64 characters */
export const B64_GROUP = 57;
export const B64_LINE = 76;
/**
 * Input bytes per base64 string: small enough that the string stays in V8's young generation (under
 * 128 KB), so it dies cheaply instead of piling up in large-object space until a full GC.
 */
export const B64_SLICE = B64_GROUP * 1024;

// prettier-ignore
const WRAP_BODY = [
  0x00, // no locals
  0x02, 0x40, 0x20, 0x02, 0x45, 0x0d, 0x00, // block; br_if (lines == 0)
  0x03, 0x40, // loop
  0x20, 0x01, 0x20, 0x00, 0x41, 0xcc, 0x00, 0xfc, 0x0a, 0x00, 0x00, // memory.copy(dst, src, 76)
  0x20, 0x01, 0x41, 0x8d, 0x14, 0x3b, 0x00, 0x4c, // i32.store16 offset=76 (dst, 0x0a0d)
  0x20, 0x00, 0x41, 0xcc, 0x00, 0x6a, 0x21, 0x00, // src += 76
  0x20, 0x01, 0x41, 0xce, 0x00, 0x6a, 0x21, 0x01, // dst += 78
  0x20, 0x02, 0x41, 0x01, 0x6b, 0x22, 0x02, 0x0d, 0x00, // br_if (--lines != 0)
  0x0b, // end loop
  0x0b, // end block
  0x0b, // end function
];
const section = (id: number, bytes: number[]): number[] => [id, bytes.length, ...bytes];
// prettier-ignore
const WRAP_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
  ...section(1, [0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00]), // type: (i32, i32, i32) -> ()
  ...section(3, [0x01, 0x00]), // one function of type 0
  ...section(5, [0x01, 0x00, 0x01]), // one memory, 1 page to start
  ...section(7, [0x02, 0x01, 0x6d, 0x02, 0x00, 0x04, 0x77, 0x72, 0x61, 0x70, 0x00, 0x00]), // export "m", "wrap"
  ...section(10, [0x01, WRAP_BODY.length, ...WRAP_BODY]),
]);

const TEXT_BYTES = (B64_SLICE / B64_GROUP) * B64_LINE;
const LINES_AT = Math.ceil(TEXT_BYTES / 65536) * 65536;

/** The few WebAssembly JS API members used here (the project's TypeScript libs carry no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface Wrapper {
  wrap: (src: number, dst: number, lines: number) => void;
  view: Buffer;
}
let wrapper: Wrapper | null = null;

function instance(): Wrapper {
  if (wrapper !== null) return wrapper;
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const inst = new wasm.Instance(new wasm.Module(WRAP_MODULE));
  const memory = inst.exports.m as WasmMemory;
  const need = LINES_AT + (B64_SLICE / B64_GROUP) * (B64_LINE + 2);
  // grown once, before the view is made (growing detaches the old buffer)
  memory.grow(Math.ceil(need / 65536) - memory.buffer.byteLength / 65536);
  wrapper = { wrap: inst.exports.wrap as Wrapper['wrap'], view: Buffer.from(memory.buffer) };
  return wrapper;
}

/** Whole 57-byte groups (`first`, if given, then `data`) → a fresh buffer of 76-character lines + CRLF. */
export function encodeBase64Lines(data: Buffer, first: Buffer | null = null): Buffer {
  if (data.length % B64_GROUP !== 0 || (first !== null && first.length !== B64_GROUP)) {
    throw new RangeError('base64 lines: whole 57-byte groups only');
  }
  const lines = data.length / B64_GROUP + (first === null ? 0 : 1);
  if (lines === 0) return Buffer.alloc(0);
  const out = Buffer.allocUnsafeSlow(lines * (B64_LINE + 2));
  let o = 0;
  if (first !== null) {
    out.write(first.toString('base64'), 0, 'latin1');
    out[B64_LINE] = 13;
    out[B64_LINE + 1] = 10;
    o = B64_LINE + 2;
  }
  if (data.length === 0) return out;
  const w = instance();
  for (let s = 0; s < data.length; s += B64_SLICE) {
    const n = w.view.write(data.toString('base64', s, Math.min(data.length, s + B64_SLICE)), 0, 'latin1');
    const count = n / B64_LINE;
    w.wrap(0, LINES_AT, count);
    o += w.view.copy(out, o, LINES_AT, LINES_AT + count * (B64_LINE + 2));
  }
  return out;
}
