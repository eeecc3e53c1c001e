// A password-change command for the `sandi akun` tests (the "perintah" adapter): reads user, old and new
// password from stdin, like an office's own script would, and acts on the test Dovecot's passwd-file.
//   node akun-change-script.mjs <passwd-file> <mode> [marker]
// mode: ok (set it), refuse (say no, exit 1), set-then-fail (set it, then exit 1 as if it timed out),
//       hang (set it, write <marker>, then wait to be killed)
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';

const [passwdFile, mode, marker] = process.argv.slice(2);
const input = readFileSync(0, 'utf8').split('\n');
const [user, oldPassword, newPassword] = input;
if (mode === 'refuse') {
  process.stderr.write('kebijakan server: kata sandi baru pernah dipakai sebelumnya\n');
  process.exit(1);
}
const lines = readFileSync(passwdFile, 'utf8').split('\n');
const i = lines.findIndex((l) => l.split(':', 1)[0] === user);
const fields = lines[i].split(':');
if (fields[1] !== `{PLAIN}${oldPassword}` && !fields[1].startsWith('{SSHA512}')) {
  process.stderr.write('old password does not match\n');
  process.exit(1);
}
fields[1] = `{PLAIN}${newPassword}`;
lines[i] = fields.join(':');
// Dovecot notices a changed passwd-file by its mtime in whole seconds (and its size): move the mtime to a new
// second, as the passwd-file adapter does, so a same-second, same-length change is not missed
const before = Math.floor(statSync(passwdFile).mtimeMs / 1000);
writeFileSync(passwdFile, lines.join('\n'));
const stamp = Math.max(Date.now() / 1000, before + 1);
utimesSync(passwdFile, stamp, stamp);
if (mode === 'set-then-fail') {
  process.stderr.write('connection to the admin panel timed out\n');
  process.exit(1);
}
if (mode === 'hang') {
  writeFileSync(marker, String(process.pid));
  setInterval(() => {}, 1000);
}
