/**
 * Issue 13 ("Indonesian throughout"): the prompts' own words — select's key help line, confirm's hint and its
 * Yes/No — speak the operator's language at a real terminal (pty), English with --lang en; "t" (tidak) answers
 * no, an answer that is neither is asked again. `sandi init` up to its first yes/no question, then Ctrl-C.
 */
import { afterAll, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { describeWith } from '../helpers/gate.js';
import { KEY, havePython3Pty, sandiPty } from '../helpers/pty.js';

describeWith('python3 (pty module)', havePython3Pty(), 'prompts in the operator language (pty)', () => {
  const homes: { cleanup: () => void }[] = [];
  afterAll(() => {
    for (const h of homes) h.cleanup();
  });
  const home = (): string => {
    const h = tempHome('sandi-pty-bahasa-');
    homes.push(h);
    return h.dir;
  };

  it('Indonesian: "↑↓ pindah • ⏎ pilih", "(y/T)", "x" asked again, "t" is Tidak; English: navigate, (y/N), No', async () => {
    const id = await sandiPty(
      ['--home', home(), 'init'],
      [
        { expect: '\\? Nama kantor', send: `Diskominfo Uji${KEY.enter}` },
        { expect: '\\? Kode unit', send: `DU.01${KEY.enter}` },
        { expect: '↑↓ pindah • ⏎ pilih', send: KEY.enter },
        { expect: '\\? Sudah ada kotak surat Sanapati \\(IMAP/SMTP\\) yang akan dipakai\\? \\(y/T\\)', send: `x${KEY.enter}` },
        { expect: 'Jawab y \\(ya\\) atau t \\(tidak\\)\\.', send: `${'\x7f'}t${KEY.enter}` },
        { expect: '✔ Sudah ada kotak surat Sanapati \\(IMAP/SMTP\\) yang akan dipakai\\? Tidak', send: KEY.ctrlC },
      ],
      { env: { SANDI_OPERATOR: 'uji-pty' } },
    );
    expect(id.error, id.transcript).toBeNull();
    expect(id.transcript).not.toMatch(/navigate|\(y\/N\)|You must provide/);

    const en = await sandiPty(
      ['--home', home(), '--lang', 'en', 'init'],
      [
        { expect: '\\? Office name', send: `Test Office${KEY.enter}` },
        { expect: '\\? Unit code', send: `DU.01${KEY.enter}` },
        { expect: '↑↓ navigate • ⏎ select', send: KEY.enter },
        { expect: '\\(y/N\\)', send: `n${KEY.enter}` },
        { expect: '✔ Is there a Sanapati mailbox \\(IMAP/SMTP\\) to use already\\? No', send: KEY.ctrlC },
      ],
      { env: { SANDI_OPERATOR: 'uji-pty' } },
    );
    expect(en.error, en.transcript).toBeNull();
  });
});
