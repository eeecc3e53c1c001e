import { describe, expect, it } from 'vitest';
import { jawabanYaTidak } from '../../src/cli/prompter.js';

describe('jawabanYaTidak: a yes/no answer in Indonesian or English', () => {
  it.each([
    ['y', false, true], ['Ya', false, true], ['YES', false, true],
    ['t', true, false], ['tidak', true, false], ['N', true, false], ['no', true, false],
    ['', true, true], ['  ', false, false],
    ['x', false, null], ['yaa', true, null], ['tdk', false, null],
  ] as const)('%j (default %s) → %s', (v, def, want) => {
    expect(jawabanYaTidak(v, def)).toBe(want);
  });
});
