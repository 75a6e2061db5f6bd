/**
 * Lists every parameter the generator types `SqlValue` (storage `any`: nothing in its statement
 * constrains it), over the project's `queries/` and every golden case that generates code
 * (`npm run count-open-params`), or over the `sqlc.yaml` files given as arguments. Prints one line per
 * such parameter, then the count of them and of all parameters; the counts are whole parameters from
 * the generator's own analysis, not text.
 */
import { join, resolve } from 'node:path';
import { codegenCases } from '../test/codegen/codegen-cases.js';
import { loadCodegenConfig } from './codegen/codegen-config.js';
import { CodegenError } from './codegen/codegen-error.js';
import { analyzeProject } from './codegen/generate.js';

const root = resolve(import.meta.dirname, '..');
const given = process.argv.slice(2).map((path) => ({ name: path, path: resolve(path) }));
const configs =
  given.length > 0
    ? given
    : [
        { name: '(project)', path: join(root, 'sqlc.yaml') },
        ...codegenCases()
          .filter((c) => c.errorFile === undefined)
          .map((c) => ({ name: c.name, path: c.config })),
      ];
let total = 0;
let open = 0;
for (const { name, path } of configs) {
  let analyzed: ReturnType<typeof analyzeProject>;
  try {
    analyzed = analyzeProject(loadCodegenConfig(path));
  } catch (err) {
    if (!(err instanceof CodegenError)) throw err;
    console.log(`${name}: not generated (${err.code})`);
    continue;
  }
  for (const [file, queries] of analyzed) {
    for (const q of queries) {
      for (const p of q.params) {
        total++;
        if (p.type.storage !== 'any') continue;
        open++;
        console.log(`${name}/${file} ${q.block.name} ${p.name}${p.array ? ' (list)' : ''}`);
      }
    }
  }
}
console.log(`${open} of ${total} parameters typed SqlValue`);
