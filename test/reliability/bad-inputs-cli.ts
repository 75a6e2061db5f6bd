import type { BadInputCase } from '../support/bad-input.js';

/** Bad command lines given to `msb`. */
export const cases: readonly BadInputCase[] = [
  {
    area: 'cli',
    name: 'unknown command',
    prepare: () => ({ program: 'msb', args: ['frobnicate'] }),
    exitCode: 2,
    message: /unknown command "frobnicate"/,
  },
];
