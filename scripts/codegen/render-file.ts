import type { AnalyzedQuery, EmbeddedRow, ParamField, ResultField } from './analyzed-query.js';
import {
  type Doc,
  docComment,
  group,
  ifBreak,
  indent,
  line,
  list,
  MAX_LINE_WIDTH,
  printDoc,
  softline,
  stringLiteral,
  templateLiteral,
  union,
  unionMembers,
} from './code-layout.js';
import { constantCase, isIdentifier, pascalCase } from './naming.js';
import type { QueryBlock } from './query-block.js';
import { orNull, tsText } from './typescript-type.js';
import type { AnalyzedType } from './value-type.js';

/**
 * The names of a table's shared row type (`Sandbox`), its raw tuple (`RawSandbox`) and its mapper
 * (`toSandbox`), which live in the generated `models.ts`.
 *
 * @example
 * ```ts
 * const names: TableRowNames = { table: 'sandbox', row: 'Sandbox', raw: 'RawSandbox', toRow: 'toSandbox' };
 * ```
 */
export interface TableRowNames {
  readonly table: string;
  readonly row: string;
  readonly raw: string;
  readonly toRow: string;
}

/**
 * The {@link TableRowNames} of a table (PascalCase, like sqlc's models), or `undefined` when its name
 * makes no identifier.
 *
 * @example
 * ```ts
 * tableRowNames('sandbox_metric')?.row; // 'SandboxMetric'
 * ```
 */
export function tableRowNames(table: string): TableRowNames | undefined {
  const row = pascalCase(table);
  if (!isIdentifier(row)) return undefined;
  return { table, row, raw: `Raw${row}`, toRow: `to${row}` };
}

/**
 * How {@link renderFile} writes a module.
 *
 * @example
 * ```ts
 * const options: RenderFileOptions = { dbImport: '../db/index.js', decoders: new Map(), functionName: camelCase, shareRow: () => undefined };
 * ```
 */
export interface RenderFileOptions {
  /** Module specifier of `src/db`. */
  readonly dbImport: string;
  /** Module of each `json` override decoder, by name. */
  readonly decoders: ReadonlyMap<string, string>;
  readonly functionName: (queryName: string) => string;
  /**
   * For a query that returns a table's whole row, or a `sqlc.embed` of one: the shared row type to
   * use, or `undefined` to declare its own. `taken` holds the names this module declares or imports.
   */
  readonly shareRow: (row: SharedRow, taken: ReadonlySet<string>) => TableRowNames | undefined;
}

/**
 * A table's whole row as one query reads it: what a shared row type in `models.ts` is made from.
 *
 * @example
 * ```ts
 * const row: SharedRow = { table: 'owner', fields: q.fields, bigint: q.bigint, block: q.block };
 * ```
 */
export interface SharedRow {
  readonly table: string;
  /** The table's columns in order, at positions 0, 1, … of the shared raw tuple. */
  readonly fields: readonly ResultField[];
  /** Whether the query reads it in safe-integer mode. */
  readonly bigint: boolean;
  /** The query, where a problem in the shared row's code is reported. */
  readonly block: QueryBlock;
}

/**
 * The name of a query's hoisted SQL constant (`LoadActiveRun` → `LOAD_ACTIVE_RUN_SQL`): the first
 * statement of the query's code in its module.
 *
 * @example
 * ```ts
 * sqlConstantName('LoadActiveRun'); // 'LOAD_ACTIVE_RUN_SQL'
 * ```
 */
export function sqlConstantName(queryName: string): string {
  return `${constantCase(queryName)}_SQL`;
}

/**
 * Renders the generated module of one query file: a header naming the source, the `src/db` imports it
 * needs, then per query a hoisted SQL constant (a template literal holding the query's text as
 * written), `Params`/`Row` interfaces and the typed function, documented by the query's own comments.
 * A query returning a table's whole row (`SELECT *`, `RETURNING *`) aliases the table's shared row
 * type from `models.ts` instead of declaring its own copy. Lines are fitted into
 * {@link MAX_LINE_WIDTH} (see {@link printDoc}).
 *
 * @example
 * ```ts
 * const text = renderFile('queries/run.sql', queries, options);
 * ```
 */
export function renderFile(
  sourcePath: string,
  queries: readonly AnalyzedQuery[],
  options: RenderFileOptions,
): string {
  const taken = new Set<string>([
    'DbReadConnection',
    'DbWriteConnection',
    'DbWriteTransaction',
    'RunResult',
    'SqlValue',
  ]);
  for (const name of options.decoders.keys()) taken.add(name);
  for (const q of queries) {
    const name = q.block.name;
    taken.add(options.functionName(name));
    for (const n of [sqlConstantName(name), `${name}Params`, `${name}Row`, `${name}Raw`, `to${name}Row`])
      taken.add(n);
  }
  const used = new Set<string>();
  const shared = new Map<AnalyzedQuery, TableRowNames>();
  const embedded = new Map<EmbeddedRow, TableRowNames>();
  for (const q of queries) {
    const { table, fields, bigint, block } = q;
    const names =
      returnsRows(q) && table !== undefined
        ? options.shareRow({ table, fields, bigint, block }, taken)
        : undefined;
    if (names !== undefined) shared.set(q, names);
    for (const e of returnsRows(q) ? q.embeds : []) {
      const fields = e.fields.map((f, index) => ({ ...f, index }));
      const row = options.shareRow({ table: e.table, fields, bigint, block }, taken);
      if (row !== undefined) embedded.set(e, row);
    }
  }
  const body = queries.map((q) =>
    renderQuery(q, options.functionName(q.block.name), shared.get(q), embedded, used),
  );
  const imports = [
    ...dbImports(used, options.dbImport),
    ...modelImports([...shared.values()], [...embedded.values()]),
    ...decoderImports(
      [
        ...queries
          .filter((q) => !shared.has(q) && returnsRows(q))
          .flatMap((q) => [q.fields, ...q.embeds.filter((e) => !embedded.has(e)).map((e) => e.fields)]),
        ...queries.map((q) => q.params.filter((p) => !p.array && isEncoded(p))),
      ],
      options.decoders,
    ),
  ];
  return moduleText(
    `// Code generated by msb codegen from ${sourcePath}. DO NOT EDIT.`,
    imports,
    body.flat(),
  );
}

/**
 * Renders `models.ts`: per table some query returns whole, its row interface, raw tuple and mapper,
 * in table name order. `model.fields` and `model.bigint` come from any of those queries (they all
 * equal the schema's).
 *
 * @example
 * ```ts
 * const text = renderModels([{ names, fields, bigint: false }], decoders, '../db/index.js');
 * ```
 *
 * A mapper whose row has a column it must check (see {@link AnalyzedType.checked}) or decode takes
 * the query's name as a second argument, for the `DbDecodeError` it may throw.
 */
export function renderModels(
  models: readonly { names: TableRowNames; fields: readonly ResultField[]; bigint: boolean }[],
  decoders: ReadonlyMap<string, string>,
  dbImport = '../db/index.js',
): string {
  const used = new Set<string>();
  const sorted = [...models].sort((a, b) =>
    a.names.table.toLowerCase() < b.names.table.toLowerCase() ? -1 : 1,
  );
  const body: string[] = [];
  for (const { names, fields, bigint } of sorted) {
    body.push(
      interfaceText(
        [
          `A whole row of table \`${names.table}\`, as every query returning all its columns (\`SELECT *\`, \`RETURNING *\`) gives it.`,
        ],
        `export interface ${names.row}`,
        fields.map((f) => [propName(f.field), rowTs(f)]),
      ),
      `${docComment([`The raw tuple of a {@link ${names.row}} as the statement returns it.`])}\n${rawTupleText(`export type ${names.raw}`, fields, bigint)}`,
      `${docComment([`Maps a {@link ${names.raw}} to a {@link ${names.row}}.`])}\n${mapperText(`export function ${names.toRow}`, names.raw, names.row, mapperEntries(fields, bigint, 'query', used), rowNeedsQuery(fields))}`,
    );
  }
  return moduleText(
    '// Code generated by msb codegen from the schema tables. DO NOT EDIT.',
    [
      ...dbImports(used, dbImport),
      ...decoderImports(
        sorted.map((m) => m.fields),
        decoders,
      ),
    ],
    body,
  );
}

/**
 * Renders the index that re-exports every generated module, in name order.
 *
 * @example
 * ```ts
 * renderIndex(['run', 'sandbox']); // "export * from './run.js';\n..."
 * ```
 */
export function renderIndex(modules: readonly string[], modelTypes: readonly string[] = []): string {
  const lines = ['// Code generated by msb codegen. DO NOT EDIT.'];
  const entries: [string, string][] = modules.map((m) => [m, `export * from ${stringLiteral(`./${m}.js`)};`]);
  // Only the row types are public; the raw tuples and mappers are the modules' business.
  if (modelTypes.length > 0)
    entries.push([
      'models',
      printDoc(['export type ', list('{', [...modelTypes].sort(), '}', true), " from './models.js';"]),
    ]);
  for (const [, line] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) lines.push(line);
  if (entries.length === 0) lines.push('export {};');
  return `${lines.join('\n')}\n`;
}

/** A module's text: the header line, the imports right below it, then a blank line before each statement. */
function moduleText(header: string, imports: readonly string[], statements: readonly string[]): string {
  const top = [header, ...imports].join('\n');
  return `${[top, ...statements].join('\n\n')}\n`;
}

/** One import declaration, its names sorted as given. */
function importText(names: readonly string[], from: string, typeOnly = false): string {
  return printDoc([
    typeOnly ? 'import type ' : 'import ',
    list('{', names, '}', true),
    ` from ${stringLiteral(from)};`,
  ]);
}

/** The `src/db` functions generated mappers call to check and decode values. */
const DECODE_HELPERS = new Set(['decodeDate', 'decodeFailed', 'decodeJson', 'decodeJsonWith']);

function dbImports(used: ReadonlySet<string>, dbImport: string): string[] {
  if (used.size === 0) return [];
  const values = used.has('DbWriteTransaction:value');
  const names = [...used].filter((u) => !u.endsWith(':value'));
  if (values && !names.includes('DbWriteTransaction')) names.push('DbWriteTransaction');
  names.sort();
  const isValue = (name: string): boolean =>
    DECODE_HELPERS.has(name) || (values && name === 'DbWriteTransaction');
  const anyValue = names.some(isValue);
  return [
    importText(
      names.map((name) => (anyValue && !isValue(name) ? `type ${name}` : name)),
      dbImport,
      !anyValue,
    ),
  ];
}

/** `export interface Name {` with one `readonly` property per entry, a long union type on its own lines. */
function interfaceText(docs: readonly string[], head: string, props: readonly [string, string][]): string {
  const lines = [docComment(docs), `${head} {`];
  for (const [name, type] of props) {
    lines.push(printDoc([`readonly ${name}:`, union(unionMembers(type), true), ';'], '  '));
  }
  lines.push('}');
  return lines.join('\n');
}

function rawTupleText(head: string, fields: readonly ResultField[], bigint: boolean): string {
  const members = fields.map((f) => union(unionMembers(rawTs(f, bigint))));
  return printDoc([`${head} = readonly `, list('[', members, ']'), ';']);
}

function mapperText(
  head: string,
  raw: string,
  row: string,
  entries: readonly Doc[],
  takesQuery = false,
): string {
  return [
    printDoc([head, list('(', [`r: ${raw}`, ...(takesQuery ? ['query: string'] : [])], ')'), `: ${row} {`]),
    printDoc(['return ', list('{', entries, '}', true), ';'], '  '),
    '}',
  ].join('\n');
}

/** The statements of one query's code, each as text; the first is its SQL constant. */
function renderQuery(
  q: AnalyzedQuery,
  fn: string,
  model: TableRowNames | undefined,
  embedded: ReadonlyMap<EmbeddedRow, TableRowNames>,
  used: Set<string>,
): string[] {
  const { block } = q;
  const name = block.name;
  const sqlConst = sqlConstantName(name);
  const paramsType = `${name}Params`;
  const rowType = `${name}Row`;
  const rawType = model?.raw ?? `${name}Raw`;
  const toRow = model?.toRow ?? `to${rowType}`;
  const hasRows = returnsRows(q);
  const out: string[] = [sqlConstantText(sqlConst, block.sql)];
  // A shared mapper that checks values is told which query it maps, for the error it may throw.
  const queryName = stringLiteral(name);
  const mapped = model !== undefined && rowNeedsQuery(q.fields) ? `, ${queryName}` : '';

  if (q.params.length > 0) {
    out.push(
      interfaceText(
        [`Parameters of {@link ${fn}}.`],
        `export interface ${paramsType}`,
        q.params.map((p) => [propName(p.field), paramTs(p, used)]),
      ),
    );
  }

  if (hasRows && model !== undefined) {
    out.push(
      `${docComment([`A row of {@link ${fn}}: the whole row of table \`${model.table}\`.`])}\nexport type ${rowType} = ${model.row};`,
    );
  } else if (hasRows) {
    out.push(
      interfaceText(
        [`A row of {@link ${fn}}.`],
        `export interface ${rowType}`,
        members(q).map((m) => [propName(m.field), 'fields' in m ? embedTs(m, embedded.get(m)) : rowTs(m)]),
      ),
      rawTupleText(`type ${rawType}`, rawColumns(q), q.bigint),
      mapperText(
        `function ${toRow}`,
        rawType,
        rowType,
        members(q).map(
          (m): Doc => [
            `${propName(m.field)}: `,
            'fields' in m
              ? embedValue(m, embedded.get(m), q.bigint, queryName, used)
              : convert(m, q.bigint, queryName, used),
          ],
        ),
      ),
    );
  }

  const result = resultTs(q, rowType);
  const paramList = q.params.length > 0 ? [`params: ${paramsType}`] : [];
  const bind = bindDoc(q.params);
  const mode = q.bigint ? "'raw-bigint'" : "'raw'";
  const call = (conn: string): Doc[] => {
    switch (block.command) {
      case ':one':
        return q.alwaysRow && hasRows
          ? [
              [`const r = ${conn}.get<${rawType}>`, list('(', [sqlConst, bind, mode], ')'), ';'],
              `if (r === undefined) throw new Error(${JSON.stringify(`${name}: the INSERT returned no row`)});`,
              `return ${toRow}(r${mapped});`,
            ]
          : [
              [`const r = ${conn}.get<${rawType}>`, list('(', [sqlConst, bind, mode], ')'), ';'],
              `return r === undefined ? undefined : ${toRow}(r${mapped});`,
            ];
      case ':many':
        return [
          [`const rows = ${conn}.all<${rawType}>`, list('(', [sqlConst, bind, mode], ')'), ';'],
          `const result: ${rowType}[] = [];`,
          `for (const r of rows) result.push(${toRow}(r${mapped}));`,
          'return result;',
        ];
      // The parameters object is the last argument: it breaks on its own, after `run(SQL, {`.
      // A read under :exec (sqlc accepts it) runs on a connection that has no `run`.
      case ':exec':
        return block.tag === ':read'
          ? [[`${conn}.all(${sqlConst}, `, bind, ');']]
          : [[`${conn}.run(${sqlConst}, `, bind, ');']];
      case ':execrows':
        return [[`return ${conn}.run(${sqlConst}, `, bind, ').changes;']];
      case ':execlastid':
        return [[`return Number(${conn}.run(${sqlConst}, `, bind, ').lastInsertRowid);']];
      // sqlc's :execresult gives Go's sql.Result (rows affected, last insert id); this is its analogue.
      case ':execresult':
        used.add('RunResult');
        return [[`return ${conn}.run(${sqlConst}, `, bind, ');']];
    }
  };
  const docs = docComment([
    ...block.doc,
    ...(block.doc.length > 0 ? [''] : []),
    ...summary(q),
    '',
    '```sql',
    ...block.sql.split('\n'),
    '```',
    '',
    '@example',
    '```ts',
    ...example(q, fn).split('\n'),
    '```',
  ]);
  const signature = (conn: string, ret: string, end: string): string =>
    printDoc(['export function ', fn, list('(', [`conn: ${conn}`, ...paramList], ')'), `: ${ret}${end}`]);
  const fnBody = (statements: readonly Doc[]): string =>
    [...statements.map((s) => printDoc(s, '  ')), '}'].join('\n');
  if (block.tag === ':read') {
    used.add('DbReadConnection');
    used.add('DbWriteTransaction');
    out.push(
      [docs, signature('DbReadConnection | DbWriteTransaction', result, ' {'), fnBody(call('conn'))].join(
        '\n',
      ),
    );
  } else {
    used.add('DbWriteConnection');
    used.add('DbWriteTransaction:value');
    const args = q.params.length > 0 ? 'tx, params' : 'tx';
    const own = `return conn.transaction((tx) => ${fn}(${args}));`;
    out.push(
      [
        docs,
        signature('DbWriteTransaction', result, ';'),
        signature('DbWriteConnection', `Promise<${result}>`, ';'),
        signature('DbWriteTransaction | DbWriteConnection', `${result} | Promise<${result}>`, ' {'),
        fnBody([
          group([
            'if (!(conn instanceof DbWriteTransaction)) ',
            ifBreak('{'),
            indent([softline, own]),
            softline,
            ifBreak('}'),
          ]),
          ...call('conn'),
        ]),
      ].join('\n'),
    );
  }
  return out;
}

function returnsRows(q: AnalyzedQuery): boolean {
  return q.fields.length + q.embeds.length > 0 && (q.block.command === ':one' || q.block.command === ':many');
}

/** The row's fields and embedded rows, in result order. */
function members(q: AnalyzedQuery): (ResultField | EmbeddedRow)[] {
  return [...q.fields, ...q.embeds].sort((a, b) => a.index - b.index);
}

/** Every column of the raw row, in order. */
function rawColumns(q: AnalyzedQuery): ResultField[] {
  return [...q.fields, ...q.embeds.flatMap((e) => e.fields)].sort((a, b) => a.index - b.index);
}

function mapperEntries(
  fields: readonly ResultField[],
  bigint: boolean,
  query: string,
  used: Set<string>,
): Doc[] {
  return fields.map((f): Doc => [`${propName(f.field)}: `, convert(f, bigint, query, used)]);
}

/** The shared row type of an embedded table, or its fields spelled out when it could not be shared. */
function embedTs(e: EmbeddedRow, model: TableRowNames | undefined): string {
  if (model !== undefined) return model.row;
  return `{ ${e.fields.map((f) => `readonly ${propName(f.field)}: ${rowTs(f)}`).join('; ')} }`;
}

/** An embedded table's row built from its slice of the raw row. */
function embedValue(
  e: EmbeddedRow,
  model: TableRowNames | undefined,
  bigintMode: boolean,
  query: string,
  used: Set<string>,
): Doc {
  if (model === undefined) return list('{', mapperEntries(e.fields, bigintMode, query, used), '}', true);
  const named = rowNeedsQuery(e.fields) ? `, ${query}` : '';
  return `${model.toRow}([${e.fields.map((f) => `r[${f.index}]`).join(', ')}]${named})`;
}

/** What the function is and how it runs, one sentence a line (a reader's editor joins them). */
function summary(q: AnalyzedQuery): string[] {
  const { command, tag, name } = q.block;
  const returns: Record<typeof command, string> = {
    ':one': q.alwaysRow
      ? 'the first row, which an INSERT … VALUES always returns'
      : 'the first row, or `undefined`',
    ':many': 'every row',
    ':exec': 'nothing',
    ':execrows': 'the number of changed rows',
    ':execlastid': 'the new rowid',
    ':execresult': 'a `RunResult`: the number of changed rows and the last inserted rowid',
  };
  const conn =
    tag === ':read'
      ? 'Reads through a `DbReadConnection` or inside a write transaction.'
      : 'Writes inside the given transaction, or in its own retried transaction on a `DbWriteConnection`.';
  return [`\`${name}\` (\`${command}\`, \`${tag}\`): returns ${returns[command]}.`, conn];
}

/**
 * How to call the function, using only what is known: the project's connection pools and, for a query
 * with parameters, an object of its `Params` type. No values are made up.
 */
function example(q: AnalyzedQuery, fn: string): string {
  const results: Record<typeof q.block.command, string> = {
    ':one': 'const row = ',
    ':many': 'const rows = ',
    ':exec': '',
    ':execrows': 'const changed = ',
    ':execlastid': 'const id = ',
    ':execresult': 'const { changes, lastInsertRowid } = ',
  };
  const read = q.block.tag === ':read';
  const args = q.params.length > 0 ? ', params' : '';
  const call = `${results[q.block.command]}${read ? '' : 'await '}${fn}(pools.${read ? 'read' : 'write'}${args});`;
  return q.params.length > 0 ? `declare const params: ${q.block.name}Params;\n${call}` : call;
}

/**
 * `const NAME = \`SQL\`;` on one line when the SQL is one line that fits; else the template starts with
 * a line continuation (which adds nothing to its value), so every line of the SQL starts at column 1
 * exactly as in the query file.
 */
function sqlConstantText(name: string, sql: string): string {
  const literal = templateLiteral(sql);
  const inline = `const ${name} = ${literal};`;
  if (!sql.includes('\n') && inline.length <= MAX_LINE_WIDTH) return inline;
  return `const ${name} = \`\\\n${literal.slice(1)};`;
}

function resultTs(q: AnalyzedQuery, rowType: string): string {
  switch (q.block.command) {
    case ':one':
      if (q.fields.length + q.embeds.length === 0) return 'undefined';
      return q.alwaysRow ? rowType : `${rowType} | undefined`;
    case ':many':
      return `${rowType}[]`;
    case ':exec':
      return 'void';
    case ':execrows':
    case ':execlastid':
      return 'number';
    case ':execresult':
      return 'RunResult';
  }
}

/** The type text of a result field without `null`: the alias override, the decoder's, or the value's. */
function fieldTs(f: ResultField): string {
  return f.tsOverride ?? representedTs(f.type) ?? tsText(f.type);
}

/** The TypeScript type of a represented value (row field or parameter), if it has one. */
function representedTs(t: AnalyzedType): string | undefined {
  const r = t.representation;
  if (r?.kind === 'json') return r.decode === 'JSON.parse' ? 'unknown' : `ReturnType<typeof ${r.decode}>`;
  if (r?.kind === 'boolean') return 'boolean';
  if (r?.kind === 'date') return 'Date';
  return undefined;
}

function rowTs(f: ResultField): string {
  return orNull(fieldTs(f), f.type.nullable);
}

/**
 * Whether the mapper checks or decodes a field through code that names the query: a value SQLite
 * does not guarantee, or a `boolean`, `Date` or `ts_type: json` override (whose decoding can fail).
 */
function fieldNeedsQuery(f: ResultField): boolean {
  if (f.tsOverride !== undefined) return false;
  const r = f.type.representation;
  if (r?.kind === 'boolean' || r?.kind === 'date' || (r?.kind === 'json' && r.encode === true)) return true;
  return f.type.checked === true && f.type.storage !== 'any';
}

function rowNeedsQuery(fields: readonly ResultField[]): boolean {
  return fields.some(fieldNeedsQuery);
}

/**
 * The type of a raw value as the statement returns it (text for a `json` column, before decoding);
 * `unknown` for a value the mapper checks, so the check is what narrows it.
 */
function rawTs(f: ResultField, bigintMode: boolean): string {
  if (fieldNeedsQuery(f)) return 'unknown';
  const ts = f.tsOverride ?? tsText(f.type);
  return orNull(bigintMode && ts === 'number' ? 'number | bigint' : ts, f.type.nullable);
}

/** The column a decode error names: `table.column` for a column read as it is, else the field. */
function columnLabel(f: ResultField): string {
  return f.type.origin === undefined ? f.field : `${f.type.origin.table}.${f.type.origin.column}`;
}

/** Enum values are checked one by one only while that stays a short chain of comparisons. */
const MAX_CHECKED_ENUM = 8;

/**
 * The expression that maps one raw value. A checked or decoded value is tested inline (`typeof`,
 * `===`), the failing branch calling `decodeFailed`, so a good row costs comparisons only; `query`
 * is the expression naming the query (a literal, or a shared mapper's `query` argument).
 */
function convert(f: ResultField, bigintMode: boolean, query: string, used: Set<string>): Doc {
  const v = `r[${f.index}]`;
  const r = f.type.representation;
  const nullable = f.type.nullable;
  const orNullOf = (decoded: Doc): Doc => (nullable ? ternary(`${v} === null`, 'null', decoded) : decoded);
  const at = `${query}, ${stringLiteral(columnLabel(f))}`;
  const fail = (expected: string): string => {
    used.add('decodeFailed');
    return `decodeFailed(${v}, ${at}, ${stringLiteral(expected)})`;
  };
  if (f.tsOverride !== undefined) return v;
  if (r?.kind === 'json' && (r.encode === true || f.type.checked === true)) {
    const helper = r.decode === 'JSON.parse' ? 'decodeJson' : 'decodeJsonWith';
    used.add(helper);
    return orNullOf(
      r.decode === 'JSON.parse' ? `decodeJson(${v}, ${at})` : `decodeJsonWith(${v}, ${r.decode}, ${at})`,
    );
  }
  if (r?.kind === 'json') {
    // JSON.parse is typed `any`; naming the result `unknown` keeps `any` out of the generated code.
    const decoded = r.decode === 'JSON.parse' ? `JSON.parse(${v}) as unknown` : `${r.decode}(${v})`;
    return nullable ? `${v} === null ? null : ${decoded}` : decoded;
  }
  if (r?.kind === 'boolean') {
    const [one, zero] = bigintMode ? ['1n', '0n'] : ['1', '0'];
    return orNullOf(ternary(`${v} === ${one}`, 'true', ternary(`${v} === ${zero}`, 'false', fail('0 or 1'))));
  }
  if (r?.kind === 'date') {
    used.add('decodeDate');
    return orNullOf(`decodeDate(${v}, ${at})`);
  }
  if (!fieldNeedsQuery(f)) {
    if (!(bigintMode && tsText(f.type) === 'number')) return v;
    return nullable ? `${v} === null ? null : Number(${v})` : `Number(${v})`;
  }
  // A checked value: each storage class it may have is one test, NULL first where it is allowed.
  const storage = f.type.storage === 'any' ? [] : f.type.storage;
  const tests: [string, string][] = [];
  if (nullable) tests.push([`${v} === null`, v]);
  if (r?.kind === 'bigint' || (bigintMode && storage.includes('integer'))) {
    tests.push([`typeof ${v} === 'bigint'`, r?.kind === 'bigint' ? v : `Number(${v})`]);
    if (storage.includes('real')) tests.push([`typeof ${v} === 'number'`, v]);
  } else if (storage.includes('integer') || storage.includes('real')) {
    tests.push([`typeof ${v} === 'number'`, v]);
  }
  if (storage.includes('text')) {
    const values = f.type.enumValues;
    if (values !== undefined && values.length <= MAX_CHECKED_ENUM) {
      const any = values.map((e) => `${v} === ${stringLiteral(e)}`).join(' || ');
      tests.push([values.length > 1 ? `(${any})` : any, v]);
    } else tests.push([`typeof ${v} === 'string'`, v]);
  }
  if (storage.includes('blob')) tests.push([`Buffer.isBuffer(${v})`, v]);
  // Tests that all return the value as it is join with ||, so the common case is one conditional.
  if (tests.every(([, value]) => value === v)) {
    return ternary(tests.map(([test]) => test).join(' || '), v, fail(rowTs(f)));
  }
  return tests.reduceRight<Doc>((no, [test, value]) => ternary(test, value, no), fail(rowTs(f)));
}

/** `test ? yes : no`, broken before `?` and `:` when it does not fit. */
function ternary(test: string, yes: Doc, no: Doc): Doc {
  return group([test, indent([line, '? ', yes, line, ': ', no])]);
}

/** A parameter's type text without `null`: `SqlValue` when nothing says what it is. */
function paramBaseTs(p: ParamField): string {
  const represented = p.array ? undefined : representedTs(p.type);
  if (represented !== undefined && isEncoded(p)) return represented;
  return p.type.storage === 'any' ? 'SqlValue' : tsText(p.type);
}

/** Whether a parameter is bound through its column's encoding (`Date`, `boolean`, `ts_type: json`). */
function isEncoded(p: ParamField): boolean {
  const r = p.type.representation;
  return r?.kind === 'boolean' || r?.kind === 'date' || (r?.kind === 'json' && r.encode === true);
}

function paramTs(p: ParamField, used: Set<string>): string {
  const ts = paramBaseTs(p);
  if (ts === 'SqlValue') used.add('SqlValue');
  if (p.array) return ts.includes(' ') ? `readonly (${ts})[]` : `readonly ${ts}[]`;
  return orNull(ts, p.type.nullable);
}

/** A parameter's value as bound: encoded the reverse way its column's values are decoded. */
function encodedValue(p: ParamField): string {
  const v = access(p.field);
  if (p.array) return `JSON.stringify(${v})`;
  const r = p.type.representation;
  const encoded =
    r?.kind === 'boolean'
      ? `${v} ? 1 : 0`
      : r?.kind === 'date'
        ? `${v}.toISOString()`
        : r?.kind === 'json' && r.encode === true
          ? `JSON.stringify(${v})`
          : undefined;
  if (encoded === undefined) return v;
  return p.type.nullable ? `${v} === null ? null : ${encoded}` : encoded;
}

/**
 * The bind argument: `?` parameters as a list in SQLite's order, the others as an object by key
 * (a name, or the number of a `?NNN`); better-sqlite3 binds each to its place.
 */
function bindDoc(params: readonly ParamField[]): Doc {
  if (params.length === 0) return 'undefined';
  const value = encodedValue;
  const positions = params.flatMap((p) =>
    p.binding.kind === 'position' ? [{ p, index: p.binding.index }] : [],
  );
  if (positions.length === params.length) {
    return list(
      '[',
      positions.sort((a, b) => a.index - b.index).map(({ p }) => value(p)),
      ']',
    );
  }
  const entries = params.map((p) => {
    const name = p.binding.kind === 'key' ? p.binding.key : p.name;
    const key = isIdentifier(name) ? name : JSON.stringify(name);
    return `${key}: ${value(p)}`;
  });
  return list('{', entries, '}', true);
}

function access(field: string): string {
  return isIdentifier(field) ? `params.${field}` : `params[${JSON.stringify(field)}]`;
}

function propName(field: string): string {
  return isIdentifier(field) ? field : JSON.stringify(field);
}

/**
 * The shared row types, raw tuples and mappers this module's whole-row queries use, and the row types
 * and mappers of its embedded rows (whose raw tuples are spelled inside the query's own).
 */
function modelImports(models: readonly TableRowNames[], embedded: readonly TableRowNames[]): string[] {
  if (models.length + embedded.length === 0) return [];
  const names = new Map<string, boolean>();
  for (const m of [...models, ...embedded]) {
    names.set(m.row, true);
    names.set(m.toRow, false);
  }
  for (const m of models) names.set(m.raw, true);
  const sorted = [...names].sort(([a], [b]) =>
    a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0,
  );
  return [
    importText(
      sorted.map(([name, isType]) => (isType ? `type ${name}` : name)),
      './models.js',
    ),
  ];
}

/** Imports of the `json` override decoders the given rows use, one declaration per module. */
function decoderImports(
  rows: readonly (readonly { readonly type: AnalyzedType }[])[],
  decoders: ReadonlyMap<string, string>,
): string[] {
  const byModule = new Map<string, Set<string>>();
  for (const fields of rows) {
    for (const f of fields) {
      const r = f.type.representation;
      const from = r?.kind === 'json' ? decoders.get(r.decode) : undefined;
      if (from === undefined || r?.kind !== 'json') continue;
      const names = byModule.get(from) ?? new Set<string>();
      names.add(r.decode);
      byModule.set(from, names);
    }
  }
  return [...byModule]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([from, names]) => importText([...names].sort(), from));
}
