import { fileURLToPath } from 'node:url';
import { Node, Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const SQL =
  /\b(SELECT\b[\s\S]*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|PRAGMA)\b/i;

describe('src/host and src/cli', () => {
  it('should hold no SQL string: every statement comes from queries/ through src/generated', () => {
    const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
    project.addSourceFilesAtPaths([`${ROOT}/src/host/**/*.ts`, `${ROOT}/src/cli/**/*.ts`]);
    expect(project.getSourceFiles().length).toBeGreaterThan(40);
    expect(findSqlStrings(project)).toEqual([]);
  });

  it('should find SQL in string and template literals when there is some', () => {
    const project = new Project({ useInMemoryFileSystem: true });
    project.createSourceFile(
      '/x.ts',
      [
        "const a = 'SELECT id FROM sandbox WHERE name = @name';",
        `const b = \`DELETE FROM run WHERE id = \${id}\`;`,
        "const c = 'select a sandbox from the list';",
        "const d = 'no sql here';",
      ].join('\n'),
    );
    expect(findSqlStrings(project)).toEqual([
      "/x.ts:1: 'SELECT id FROM sandbox WHERE name = @name'",
      `/x.ts:2: \`DELETE FROM run WHERE id = \${id}\``,
      "/x.ts:3: 'select a sandbox from the list'",
    ]);
  });
});

/** `file:line: literal` for every string or template literal that reads like SQL. */
function findSqlStrings(project: Project): string[] {
  return project.getSourceFiles().flatMap((file) =>
    file
      .getDescendants()
      .filter(
        (n) =>
          Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n) || Node.isTemplateExpression(n),
      )
      .filter((n) => SQL.test(n.getText()))
      .map((n) => `${file.getFilePath().replace(`${ROOT}/`, '')}:${n.getStartLineNumber()}: ${n.getText()}`),
  );
}
