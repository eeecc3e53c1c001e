/**
 * The signed audit checkpoints in the office archive (src/ports/arsip.ts): one name per checkpoint,
 * `audit/titik-<id, 12 digits>.asc` — in the home's folder <home>/arsip/audit/ (the same files as ever), or in
 * the office database on PostgreSQL, where every workstation sees them. A checkpoint is written after the
 * command's last unit of work, so it is made visible at once (`visible: 'now'`), and never replaced: another
 * command's checkpoint for the same id is kept (`keepExisting`), whatever its bytes (its own signature time).
 */
import type { ArsipStore } from '../ports/arsip.js';
import type { CheckpointFile, CheckpointFiles } from '../ports/audit.js';

const NAME_RE = /^audit\/titik-(\d{12})\.asc$/;

/** The archive name of the checkpoint for chain row `id`. */
export function checkpointName(id: number): string {
  return `audit/titik-${String(id).padStart(12, '0')}.asc`;
}

/**
 * The checkpoints of `arsip`; `show` turns an archive name into what messages and reports print (the file's
 * path for the folder archive, "<where> <name>" for the database).
 */
export function arsipCheckpoints(arsip: ArsipStore, show: (name: string) => string): CheckpointFiles {
  const names = new Map<number, string>();
  return {
    folder: show('audit'),
    /** in id order; names under audit/ that do not fit are ignored: not ours */
    list() {
      const out: CheckpointFile[] = [];
      for (const name of arsip.list('audit/')) {
        const m = NAME_RE.exec(name);
        if (m === null) continue;
        const id = Number(m[1]);
        names.set(id, name);
        out.push({ id, path: show(name) });
      }
      return out.sort((a, b) => a.id - b.id);
    },
    read: (f) => arsip.readSync(names.get(f.id) ?? checkpointName(f.id)).toString('utf8'),
    write(id, armored) {
      const name = checkpointName(id);
      const w = arsip.writeSync(name, Buffer.from(armored, 'utf8'), { keepExisting: true, visible: 'now' });
      return { written: w.result === 'written', path: show(name) };
    },
  };
}
