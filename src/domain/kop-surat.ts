/**
 * The papers' office letterhead (kop surat) and the signature block of the head of office, from config.json's
 * `office` (pure): what is configured is printed, what is not is left out, and the defaults come from what the
 * config already says (the mailbox login as the e-mail, the town in the office name as the place of signing).
 */
import type { Bahasa } from './tanggal-tampil.js';

export interface KantorKop {
  name: string;
  parent?: string | undefined;
  address?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  website?: string | undefined;
  city?: string | undefined;
  head?: { title?: string | undefined; name?: string | undefined; nip?: string | undefined } | undefined;
}

export interface KopSurat {
  /** the government above the office ("PEMERINTAH KOTA PEKALONGAN"), upper case; null when not configured */
  induk: string | null;
  /** the office name, upper case */
  nama: string;
  /** the address line and the contact line, those configured */
  baris: string[];
}

export interface Penandatangan {
  /** the place before the date ("Pekalongan"); null when neither configured nor in the office name */
  tempat: string | null;
  jabatan: string;
  /** null: a line to write the name by hand */
  nama: string | null;
  nip: string | null;
}

const LABEL: Record<Bahasa, { phone: string; email: string; website: string }> = {
  id: { phone: 'Telepon', email: 'Pos-el', website: 'Laman' },
  en: { phone: 'Phone', email: 'E-mail', website: 'Website' },
};

/** The letterhead; `mailboxUser` (the mailbox login) stands for the e-mail address when none is configured. */
export function kopSurat(office: KantorKop, mailboxUser: string | null = null, lang: Bahasa = 'id'): KopSurat {
  const l = LABEL[lang];
  const email = office.email ?? (mailboxUser !== null && mailboxUser.includes('@') ? mailboxUser : undefined);
  const kontak = [
    office.phone ? `${l.phone} ${office.phone}` : null,
    email ? `${l.email} ${email}` : null,
    office.website ? `${l.website} ${office.website}` : null,
  ].filter((x): x is string => x !== null);
  return {
    induk: office.parent ? office.parent.toUpperCase() : null,
    nama: office.name.toUpperCase(),
    baris: [office.address ?? null, kontak.length > 0 ? kontak.join(' · ') : null].filter((x): x is string => x !== null && x.trim().length > 0),
  };
}

/** The town an office name ends with: "Dinas Kominfo Kota Pekalongan" → "Pekalongan"; null when none. */
export function tempatDariNama(name: string): string | null {
  // a note in brackets after the name ("Kota Contoh (DEMO)") is not part of the town
  const m = /\b(?:Kota|Kabupaten|Kab\.|Provinsi)\s+(.+?)\s*$/i.exec(name.replace(/\s*\([^)]*\)\s*$/, ''));
  return m ? (m[1] as string) : null;
}

/** Who signs the report: `office.head` as configured, the title defaulting to "Kepala <office name>". */
export function penandatangan(office: KantorKop, lang: Bahasa = 'id'): Penandatangan {
  const h = office.head ?? {};
  return {
    tempat: office.city ?? tempatDariNama(office.name),
    jabatan: h.title ?? `${lang === 'id' ? 'Kepala' : 'Head of'} ${office.name}`,
    nama: h.name ?? null,
    nip: h.nip ?? null,
  };
}
