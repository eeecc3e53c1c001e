/**
 * The letterhead and the signer of the papers (config.json `office`): the optional fields pass the schema and
 * reach the config; a misspelt one, an empty one or an NIP that is not 18 digits is refused naming the key; the
 * letterhead and the signature block take what is configured and fall back to what the config already says.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig, validateConfig } from '../../src/config/config.js';
import { SandiError } from '../../src/errors.js';
import { kopSurat, penandatangan, tempatDariNama } from '../../src/domain/kop-surat.js';

type Cfg = Record<string, any>;
const base = (office: Cfg = {}): Cfg => {
  const c = JSON.parse(JSON.stringify(defaultConfig({ officeName: 'Dinas Komunikasi dan Informatika Kota Pekalongan', unitCode: 'DISKOMINFO', archiveKey: 'A'.repeat(40) }))) as Cfg;
  c['office'] = { ...c['office'], ...office };
  return c;
};
function refusal(c: Cfg): SandiError {
  try {
    validateConfig(c, 'config.json');
  } catch (e) {
    if (e instanceof SandiError) return e;
    throw e;
  }
  throw new Error('expected a SandiError');
}

describe('office letterhead in config.json', () => {
  it('the optional fields are kept (the NIP without its spaces)', () => {
    const c = validateConfig(base({ parent: 'Pemerintah Kota Pekalongan', address: 'Jl. Mataram No. 1', phone: '(0285) 421093', email: 'diskominfo@pekalongankota.go.id', website: 'diskominfo.pekalongankota.go.id', city: 'Pekalongan', head: { title: 'Kepala Dinas Komunikasi dan Informatika', name: 'Dr. SITI AMINAH, S.Kom., M.T.', nip: '19761231 200501 2 003' } }), 'config.json');
    expect(c.office.parent).toBe('Pemerintah Kota Pekalongan');
    expect(c.office.head).toEqual({ title: 'Kepala Dinas Komunikasi dan Informatika', name: 'Dr. SITI AMINAH, S.Kom., M.T.', nip: '197612312005012003' });
  });

  it.each([
    [{ adress: 'Jl. Mataram' }, 'office.adress', 'unknownKey'],
    [{ head: { nama: 'Siti' } }, 'office.head.nama', 'unknownKey'],
    [{ head: { nip: '1976' } }, 'office.head.nip', 'invalid'],
    [{ phone: '  ' }, 'office.phone', 'invalid'],
    [{ website: 42 }, 'office.website', 'invalid'],
  ])('%j is refused at %s', (office, key, kind) => {
    const e = refusal(base(office));
    expect(e.params['key']).toBe(key);
    expect(e.key).toBe(kind === 'unknownKey' ? 'config.unknownKey' : 'config.invalid');
  });
});

describe('kop surat and signer', () => {
  it('what is configured, in letterhead order; the mailbox login stands for an absent e-mail', () => {
    expect(kopSurat({ name: 'Dinas Kominfo Kota Pekalongan', parent: 'Pemerintah Kota Pekalongan', address: 'Jl. Mataram No. 1', phone: '(0285) 421093' }, 'persandian@pekalongankota.go.id')).toEqual({
      induk: 'PEMERINTAH KOTA PEKALONGAN',
      nama: 'DINAS KOMINFO KOTA PEKALONGAN',
      baris: ['Jl. Mataram No. 1', 'Telepon (0285) 421093 · Pos-el persandian@pekalongankota.go.id'],
    });
    expect(kopSurat({ name: 'Diskominfo' })).toEqual({ induk: null, nama: 'DISKOMINFO', baris: [] });
  });

  it('the place from the office name, the title from the office, the name and NIP left to be written', () => {
    expect(tempatDariNama('Dinas Komunikasi dan Informatika Kota Pekalongan')).toBe('Pekalongan');
    expect(tempatDariNama('Diskominfo Kabupaten Bulungan')).toBe('Bulungan');
    expect(tempatDariNama('Diskominfo')).toBeNull();
    expect(tempatDariNama('Dinas Komunikasi dan Informatika Kota Contoh (DEMO)')).toBe('Contoh');
    expect(penandatangan({ name: 'Diskominfo Kota Tarakan' })).toEqual({ tempat: 'Tarakan', jabatan: 'Kepala Diskominfo Kota Tarakan', nama: null, nip: null });
    expect(penandatangan({ name: 'Diskominfo Kota Tarakan', city: 'Tarakan Barat', head: { title: 'Kepala Dinas', name: 'Budi', nip: '197612312005012003' } })).toEqual({ tempat: 'Tarakan Barat', jabatan: 'Kepala Dinas', nama: 'Budi', nip: '197612312005012003' });
  });
});
