/** Periksa arsip: re-hash every archived message, and check every registered row has its archived bytes. */
import type { TerimaCtx } from './konteks.js';

/** Re-hash every archived message; and check every registered row has its archived bytes. */
export async function periksaArsip(ctx: TerimaCtx): Promise<{
  diperiksa: number;
  rusak: { sha256: string; path: string; found?: string }[];
  hilang: { nomor: string; sha256: string }[];
  /** temporary files (raw mail) in the archive's tmp folder; `hidup` false: left by a killed run */
  sementara: { path: string; pid: number | null; hidup: boolean; size: number }[];
}> {
  const rusak: { sha256: string; path: string; found?: string }[] = [];
  let diperiksa = 0;
  for await (const c of ctx.archive.verifyAll()) {
    diperiksa++;
    if (!c.ok) rusak.push({ sha256: c.sha256, path: c.path, ...(c.found ? { found: c.found } : {}) });
  }
  const hilang: { nomor: string; sha256: string }[] = [];
  for (const r of ctx.registers().suratMasuk.list()) if (!ctx.archive.has(r.rawSha256)) hilang.push({ nomor: r.nomor, sha256: r.rawSha256 });
  for (const r of ctx.registers().kriptogramMasuk.list()) if (!ctx.archive.has(r.rawSha256)) hilang.push({ nomor: r.nomor, sha256: r.rawSha256 });
  const sementara = ctx.archive.tempFiles().map((f) => ({ path: f.path, pid: f.pid, hidup: f.alive, size: f.size }));
  return { diperiksa, rusak, hilang, sementara };
}
