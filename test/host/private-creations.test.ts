import { fileURLToPath } from 'node:url';
import { Node, Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
/** The one module allowed to create files and directories: it gives them msb's private modes. */
const PRIVATE_FILES = 'src/db/private-files.ts';
/** `node:fs` functions that create a file or directory with a mode the umask decides. */
const CREATING = new Set([
  'appendFile',
  'appendFileSync',
  'copyFile',
  'copyFileSync',
  'cp',
  'cpSync',
  'createWriteStream',
  'mkdir',
  'mkdirSync',
  'mkdtemp',
  'mkdtempSync',
  'writeFile',
  'writeFileSync',
]);

describe('src/', () => {
  it(`should create files and directories only through ${PRIVATE_FILES}`, () => {
    const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
    project.addSourceFilesAtPaths([`${ROOT}/src/**/*.ts`, `!${ROOT}/${PRIVATE_FILES}`]);
    expect(project.getSourceFiles().length).toBeGreaterThan(80);
    expect(findCreations(project)).toEqual([]);
  });

  it('should find creating imports, namespace imports and openSync with a writing flag', () => {
    const project = new Project({ useInMemoryFileSystem: true });
    project.createSourceFile(
      '/x.ts',
      [
        "import { mkdirSync, openSync, readFileSync } from 'node:fs';",
        "import * as fs from 'node:fs/promises';",
        "openSync('/a', 'r');",
        "openSync('/b', 'a');",
        "openSync('/c', flags);",
        "open('/d', O_RDONLY | O_NOFOLLOW);",
        "open('/e', O_WRONLY | O_CREAT);",
        "readFileSync('/d');",
      ].join('\n'),
    );
    expect(findCreations(project)).toEqual([
      '/x.ts:1: mkdirSync',
      "/x.ts:2: import * as fs from 'node:fs/promises';",
      "/x.ts:4: openSync('/b', 'a')",
      "/x.ts:5: openSync('/c', flags)",
      "/x.ts:7: open('/e', O_WRONLY | O_CREAT)",
    ]);
  });
});

/** `file:line: what` for every way a file could create a file or directory outside the helper. */
function findCreations(project: Project): string[] {
  const found: string[] = [];
  for (const file of project.getSourceFiles()) {
    const where = (node: Node): string =>
      `${file.getFilePath().replace(`${ROOT}/`, '')}:${node.getStartLineNumber()}`;
    for (const decl of file.getImportDeclarations()) {
      if (!/^(node:)?fs(\/promises)?$/.test(decl.getModuleSpecifierValue())) continue;
      if (decl.getNamespaceImport() !== undefined || decl.getDefaultImport() !== undefined) {
        found.push(`${where(decl)}: ${decl.getText()}`);
      }
      for (const named of decl.getNamedImports()) {
        if (CREATING.has(named.getName())) found.push(`${where(named)}: ${named.getName()}`);
      }
    }
    for (const call of file.getDescendants().filter(Node.isCallExpression)) {
      if (!['openSync', 'open'].includes(call.getExpression().getText())) continue;
      const flags = call.getArguments()[1];
      // Without flags, with 'r', or with O_RDONLY and nothing that writes, open only reads.
      const text = flags?.getText();
      const readOnly =
        text === undefined ||
        text === "'r'" ||
        (/\bO_RDONLY\b/.test(text) && !/O_CREAT|O_WRONLY|O_RDWR|O_APPEND|O_TRUNC/.test(text));
      if (readOnly) continue;
      found.push(`${where(call)}: ${call.getText()}`);
    }
  }
  return found;
}
