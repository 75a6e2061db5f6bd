import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_WIDTH } from '../../scripts/codegen/code-layout.js';
import { loadCodegenConfig } from '../../scripts/codegen/codegen-config.js';
import { analyzeProject } from '../../scripts/codegen/generate.js';
import { generatedSyntaxProblems } from '../../scripts/codegen/generated-syntax.js';
import { renderFile, sqlConstantName } from '../../scripts/codegen/render-file.js';
import { codegenCases } from './codegen-cases.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** Every configuration whose output is committed: the golden cases that generate, and the project. */
const CONFIGS = [
  ...codegenCases()
    .filter((c) => c.errorFile === undefined)
    .map((c) => c.config),
  join(ROOT, 'sqlc.yaml'),
];

/** The committed output files of a configuration, by path. */
function outputs(config: string): Map<string, string> {
  const dir = loadCodegenConfig(config).outDir;
  return new Map(readdirSync(dir).map((f) => [join(dir, f), readFileSync(join(dir, f), 'utf8')]));
}

/** The 0-based lines a template literal spans, and those of a doc comment's fenced SQL. */
function sqlLines(path: string, text: string): Set<number> {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lines = new Set<number>();
  const visit = (node: ts.Node): void => {
    if (ts.isNoSubstitutionTemplateLiteral(node)) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      for (let l = first; l <= last; l++) lines.add(l);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let fenced = false;
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '* ```sql') fenced = true;
    else if (l.trim() === '* ```') fenced = false;
    else if (fenced) lines.add(i);
  });
  return lines;
}

describe('generated output', () => {
  it('should have lines of at most 120 characters, except lines of SQL kept as the query file has them', () => {
    expect(MAX_LINE_WIDTH).toBe(120);
    let checked = 0;
    for (const config of CONFIGS) {
      for (const [path, text] of outputs(config)) {
        const exempt = sqlLines(path, text);
        const long = text
          .split('\n')
          .map((l, i) => ({ l, i }))
          .filter(({ l, i }) => l.length > MAX_LINE_WIDTH && !exempt.has(i))
          .map(({ l, i }) => `${path}:${i + 1}: ${l}`);
        expect(long).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it("should hold each query's SQL constant with the value SQLite prepared, byte for byte", () => {
    let checked = 0;
    for (const config of CONFIGS) {
      const files = outputs(config);
      const outDir = loadCodegenConfig(config).outDir;
      for (const [file, queries] of analyzeProject(loadCodegenConfig(config))) {
        const path = join(outDir, `${basename(file, '.sql')}.ts`);
        const source = ts.createSourceFile(path, files.get(path) ?? '', ts.ScriptTarget.Latest, true);
        const constants = new Map<string, string>();
        for (const statement of source.statements) {
          if (!ts.isVariableStatement(statement)) continue;
          for (const d of statement.declarationList.declarations) {
            if (ts.isIdentifier(d.name) && d.initializer !== undefined)
              constants.set(d.name.text, d.initializer.getText(source));
          }
        }
        for (const q of queries) {
          const literal = constants.get(sqlConstantName(q.block.name));
          expect(literal, `${path}: ${q.block.name}`).toBeDefined();
          expect(runInNewContext(literal ?? ''), `${path}: ${q.block.name}`).toBe(q.block.sql);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('should document a query with its own comments, before the generated summary', () => {
    const config = codegenCases().find((c) => c.name === 'column-names-not-overrides')?.config ?? '';
    const text = [...outputs(config).values()].join('\n');
    expect(text).toContain(
      [
        '/**',
        ' * Unaliased expressions keep the name SQLite gives them, colons, quotes and backslashes included;',
        ' * an unaliased function call is named after its function, as sqlc names it.',
        ' * A *\\/ in a comment cannot end the generated doc comment.',
        ' *',
        ' * `ExpressionNames` (`:one`, `:read`): returns the first row, or `undefined`.',
      ].join('\n'),
    );
  });
});

describe('renderFile', () => {
  it('should write a SQL constant that evaluates to the query text, whatever characters it holds', () => {
    const sqls = [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text a template literal must escape
      "SELECT `name`, '${name}', '\\', '\\`', '`${' FROM owner",
      "SELECT 1\r\nFROM owner\rWHERE name = 'héllo ✓ 名前 \u2028'",
      'SELECT 1   \n  FROM owner  \n WHERE 1  ',
      'SELECT 1',
      `SELECT ${'x, '.repeat(60)}y`,
    ];
    for (const sql of sqls) {
      const text = renderFile(
        'queries/q.sql',
        [
          {
            block: {
              path: 'queries/q.sql',
              name: 'Q',
              command: ':exec',
              tag: ':write',
              doc: [],
              sql,
              line: 1,
              sqlLine: 3,
            },
            fields: [],
            params: [],
            bigint: false,
            table: undefined,
            embeds: [],
            alwaysRow: false,
          },
        ],
        {
          dbImport: '../db/index.js',
          decoders: new Map(),
          functionName: () => 'q',
          shareRow: () => undefined,
        },
      );
      expect(generatedSyntaxProblems([{ path: 'q.ts', text, sources: [] }])).toEqual([]);
      const start = text.indexOf('const Q_SQL = ') + 'const Q_SQL = '.length;
      const end = text.indexOf('`;\n', start) + 1;
      expect(runInNewContext(text.slice(start, end))).toBe(sql);
    }
  });
});
