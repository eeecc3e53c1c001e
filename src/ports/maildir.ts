/** A local Maildir as a reader sees it (what `sandi demo` reads back from a recipient unit's mailbox). Types only. */

export interface MaildirEntry {
  /** path relative to the Maildir: new/NAME or cur/NAME:2,FLAGS */
  id: string;
  path: string;
  size: number;
  /** the file's modification time (a Maildir's delivery time) */
  mtime: Date;
}

export interface MaildirReader {
  /** the messages of new/ and cur/, in delivery order */
  list(dir: string): MaildirEntry[];
  read(m: MaildirEntry): Uint8Array;
}
