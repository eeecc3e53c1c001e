/**
 * A `terima` warning whose reason is an error (a kriptogram held unread, a key file skipped) is said in words, in
 * Indonesian and English, with the error's own parameters: never the raw message key.
 */
import { describe, expect, it } from 'vitest';
import { alasanDibaca } from '../../src/cli/terima.js';
import { setLang, t } from '../../src/cli/messages/index.js';
import { rejectsKriptogram } from '../../src/domain/terima.js';

describe('terima warnings: the reason in words', () => {
  const held = { nomor: 'KM/001/XII/2026', reason: 'kriptogram.unknownSigner', reason_keyId: '9F3A0C11D2E4B567', reason_userId: '?' };

  it('an unknown signer: the short reason with the key ID, in both languages', () => {
    expect(t('terima.w.notReadYet', alasanDibaca(held), 'id')).toContain('(penanda tangan 9F3A0C11D2E4B567 belum ada di buku alamat)');
    setLang('en');
    try {
      expect(t('terima.w.notReadYet', alasanDibaca(held))).toContain('(signer 9F3A0C11D2E4B567 is not in the address book yet)');
    } finally {
      setLang('id');
    }
    expect(t('terima.w.notReadYet', alasanDibaca(held))).not.toContain('kriptogram.');
  });

  it('a reason without a short form is the error message itself; a reason that is no key stays as it is', () => {
    const wrong = alasanDibaca({ nomor: 'KM/2', reason: 'kriptogram.wrongPassphrase', reason_userId: 'Arsip', reason_fingerprint: 'ABCD' });
    expect(t('terima.w.notReadYet', wrong, 'id')).toContain('(Frasa sandi salah untuk kunci Arsip (ABCD).)');
    expect(alasanDibaca({ reason: 'connect ECONNREFUSED' })['reason']).toBe('connect ECONNREFUSED');
    expect(alasanDibaca({ nomor: 'x' })).toEqual({ nomor: 'x' });
  });

  it.each(['kriptogram.unknownSigner', 'kriptogram.notEnoughSigners', 'kriptogram.keyUnreadable', 'kriptogram.notAddressedToUs', 'kriptogram.wrongPassphrase', 'kriptogram.spoolDamaged', 'store.badSifat'])(
    'a kriptogram held for %s (fixable here) is warned about in words',
    (key) => {
      expect(rejectsKriptogram(key === 'kriptogram.spoolDamaged' ? 'INTEGRITY' : 'SIGNATURE', key)).toBe(false);
      for (const lang of ['id', 'en'] as const) {
        setLang(lang);
        try {
          expect(t('terima.w.notReadYet', alasanDibaca({ nomor: 'KM/3', reason: key }))).not.toContain(key);
        } finally {
          setLang('id');
        }
      }
    },
  );
});
