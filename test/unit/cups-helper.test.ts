/**
 * The private-cupsd test helper (test/helpers/cups.ts) names the directive cupsd refuses. Debian's
 * cups-daemon 2.4.2-3+deb12u11 began refusing a bare `Printcap` line ("Missing value for Printcap on line 10");
 * the helper must point at the file, the line and the directive, so the next such drift is a one-line fix.
 */
import { describe, expect, it } from 'vitest';
import { describeConfigErrors } from '../helpers/cups.js';

describe('cups helper: config refusals name the directive', () => {
  const files = {
    '/tmp/sandi-cups-x/cupsd.conf': 'Listen 127.0.0.1:631\nWebInterface No\n',
    '/tmp/sandi-cups-x/cups-files.conf': 'ServerRoot /tmp/x\nFileDevice Yes\nPrintcap\nSystemGroup root\n',
  };

  it('quotes the line of the file cupsd names', () => {
    const out = 'Missing value for Printcap on line 3 of /tmp/sandi-cups-x/cups-files.conf.\n"/tmp/sandi-cups-x/cups-files.conf" contains errors.';
    const text = describeConfigErrors(out, files);
    expect(text).toContain('Missing value for Printcap on line 3');
    expect(text).toContain('cups-files.conf:3: Printcap');
    expect(text).not.toContain('cupsd.conf:3');
  });

  it('quotes the line of both files when cupsd names none', () => {
    const text = describeConfigErrors('Unknown directive Foo on line 2.', files);
    expect(text).toContain('cupsd.conf:2: WebInterface No');
    expect(text).toContain('cups-files.conf:2: FileDevice Yes');
  });
});
