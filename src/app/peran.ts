/**
 * The composition root's door to the office roles on PostgreSQL (`sandi db peran`): the SQL an administrator
 * runs is made by the PostgreSQL adapter (src/adapters/postgres/roles.ts); the command layer reaches it here.
 */
export { OFFICE_GROUPS, peranSql, type OfficeGroup, type PeranOptions } from '../adapters/postgres/roles.js';
