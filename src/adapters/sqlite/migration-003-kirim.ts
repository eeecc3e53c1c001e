/**
 * Migration 3 (`sandi kirim`): a Message-ID belongs to one outgoing row, ever. `sandi kirim lanjut` decides
 * whether an uncertain send went out by its Message-ID (local Maildirs, the Sent folder), so two rows sharing
 * one would make that answer wrong; the unique partial indexes make the database refuse it, and make the
 * look-up by Message-ID (resume, delivery reports) an index search.
 */
import type { Migration } from './migrations.js';

export const migration003Kirim: Migration = {
  version: 3,
  name: 'kirim: one Message-ID per outgoing row',
  sql: `
    CREATE UNIQUE INDEX kriptogram_keluar_message_id ON kriptogram_keluar(message_id) WHERE message_id IS NOT NULL;
    CREATE UNIQUE INDEX surat_keluar_message_id ON surat_keluar(message_id) WHERE message_id IS NOT NULL;
  `,
};
