import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ConvertedQuery, convertCase } from './convert-case.js';
import { failureReason } from './failure-reason.js';
import { findSqlcCases } from './find-sqlc-cases.js';
import { canonicalName, nameDifferences } from './name-differences.js';
import { runGenerator } from './run-generator.js';
import { sqlcGoNames } from './sqlc-go-names.js';

/**
 * Where a query comes from: the case, the query's name, and `file:line` of its `-- name:` line.
 *
 * @example
 * ```ts
 * const at: QueryRef = { case: 'alias/sqlite', query: 'AliasBar', source: 'query.sql:1' };
 * ```
 */
export interface QueryRef {
  readonly case: string;
  readonly query: string;
  readonly source: string;
}

/**
 * A parameter or result field msb names differently from sqlc's generated Go.
 *
 * @example
 * ```ts
 * const d: NameDifference = { case: 'x/sqlite', query: 'GetX', source: 'query.sql:1', kind: 'parameter', ours: 'column1', sqlc: 'ID', viaRename: false };
 * ```
 */
export interface NameDifference extends QueryRef {
  readonly kind: 'parameter' | 'field';
  readonly ours: string | null;
  readonly sqlc: string | null;
  /** sqlc's name comes from a `rename` entry of the case, which the conversion drops. */
  readonly viaRename: boolean;
}

/**
 * The machine-readable conformance report (`--json`). Every query count is over the cases not skipped.
 *
 * @example
 * ```ts
 * const report = buildConformanceReport('/tmp/sqlc-checkout', '/tmp/work');
 * report.queries.accepted.plain + report.queries.accepted.macro;
 * ```
 */
export interface ConformanceReport {
  readonly checkout: string;
  readonly cases: {
    /** sqlite entries of sqlc configurations under internal/endtoend/testdata and examples. */
    readonly found: number;
    readonly skipped: readonly { readonly case: string; readonly reason: string }[];
    readonly converted: number;
    /** Converted cases with at least one preparable query, every one of them accepted. */
    readonly fullyAccepted: number;
    /** Converted cases with no preparable query (nothing to ask the generator). */
    readonly withoutQueries: number;
  };
  readonly queries: {
    /** Named statements of the converted cases. */
    readonly total: number;
    /** Of `total`, those using sqlc.arg/narg/slice/embed. */
    readonly macro: number;
    /** Prepared by SQLite on the case's schema: as written (plain), or with macros rewritten (macro). */
    readonly preparable: { readonly plain: number; readonly macro: number };
    /** Not preparable by SQLite: not msb's failures, and not given to the generator. */
    readonly unpreparable: {
      readonly plain: number;
      readonly macro: number;
      readonly list: readonly (QueryRef & { readonly message: string })[];
    };
    /** Of `preparable`, accepted by msb's generator. */
    readonly accepted: { readonly plain: number; readonly macro: number };
    /**
     * Of the failed, those held only by the query-plan gate (a full scan or temporary B-tree under the
     * write lock): msb's policy, which the developer meets with an index or `-- :scan-ok <reason>`,
     * not a part of sqlc's language the generator does not speak.
     */
    readonly planGated: number;
  };
  /** Result columns of the accepted queries. */
  readonly columns: {
    readonly total: number;
    readonly unknown: number;
    /** Must be 0: generated code never says `any`. */
    readonly any: number;
    readonly unknownList: readonly (QueryRef & { readonly column: string })[];
  };
  readonly names: {
    /** Accepted queries whose function sqlc's Go output has. */
    readonly compared: number;
    /** Accepted queries with no sqlc Go function to compare with (no Go output, or another name). */
    readonly notComparable: readonly QueryRef[];
    /** Of `compared`, queries whose result fields were compared (sqlc returns a struct, not one value). */
    readonly fieldsCompared: number;
    /** Parameters of the compared queries, by sqlc's count: each is a name that matches or a difference. */
    readonly paramsCompared: number;
    readonly differences: readonly NameDifference[];
  };
  /** Diagnostics of the queries not accepted, grouped by {@link failureReason}, most frequent first. */
  readonly failures: readonly {
    readonly reason: string;
    readonly count: number;
    readonly example: QueryRef & { readonly message: string };
  }[];
  readonly dropped: {
    /** sqlc `overrides` entries (Go types) the conversion left out. */
    readonly overrides: number;
    /** sqlc `rename` entries the conversion left out. */
    readonly rename: number;
    /** Schema statements SQLite refused, left out of the converted schema. */
    readonly schemaStatements: readonly {
      readonly case: string;
      readonly source: string;
      readonly message: string;
    }[];
  };
  readonly perCase: readonly {
    readonly case: string;
    readonly queries: number;
    readonly unpreparable: number;
    readonly accepted: number;
    readonly failed: number;
  }[];
}

/**
 * Converts every sqlite case of a sqlc checkout into an msb project under `workDir` (one numbered
 * directory per case), runs msb's generator on each and measures the result.
 *
 * 1. A query counts once: unpreparable (SQLite refuses it on the case's schema), accepted, or failed
 *    (its diagnostics go to `failures`, each once per query).
 * 2. `columns` and `names` are over the accepted queries only.
 * 3. A bad checkout path throws (see `findSqlcCases`); a failing case never does.
 *
 * @example
 * ```ts
 * const report = buildConformanceReport('/tmp/sqlc-checkout', mkdtempSync(join(tmpdir(), 'conformance-')));
 * ```
 */
export function buildConformanceReport(checkout: string, workDir: string): ConformanceReport {
  const cases = findSqlcCases(checkout);
  const skipped: { case: string; reason: string }[] = [];
  const unpreparable: (QueryRef & { message: string })[] = [];
  const unknownList: (QueryRef & { column: string })[] = [];
  const differences: NameDifference[] = [];
  const notComparable: QueryRef[] = [];
  const schemaStatements: { case: string; source: string; message: string }[] = [];
  const groups = new Map<string, { count: number; example: QueryRef & { message: string } }>();
  const perCase: ConformanceReport['perCase'][number][] = [];
  const counts = {
    converted: 0,
    fullyAccepted: 0,
    withoutQueries: 0,
    total: 0,
    macro: 0,
    preparable: { plain: 0, macro: 0 },
    unpreparable: { plain: 0, macro: 0 },
    accepted: { plain: 0, macro: 0 },
    planGated: 0,
    paramsCompared: 0,
    columns: 0,
    any: 0,
    compared: 0,
    fieldsCompared: 0,
    overrides: 0,
    rename: 0,
  };
  cases.forEach((sqlcCase, index) => {
    if (sqlcCase.skipped !== undefined) {
      skipped.push({ case: sqlcCase.name, reason: sqlcCase.skipped });
      return;
    }
    counts.converted++;
    counts.overrides += sqlcCase.overrides;
    counts.rename += Object.keys(sqlcCase.rename).length;
    // Named after the case, so a kept work directory (`--keep`) can be read.
    const dir = join(
      workDir,
      `${String(index + 1).padStart(3, '0')}_${sqlcCase.name.replace(/[^A-Za-z0-9]+/g, '_')}`,
    );
    mkdirSync(dir, { recursive: true });
    const converted = convertCase(sqlcCase, dir);
    for (const d of converted.droppedSchema) schemaStatements.push({ case: sqlcCase.name, ...d });
    const outcomes = runGenerator(converted);
    const goNames = sqlcCase.goOut === undefined ? new Map() : sqlcGoNames(sqlcCase.goOut);
    const ref = (q: ConvertedQuery): QueryRef => ({ case: sqlcCase.name, query: q.name, source: q.source });
    const row = { case: sqlcCase.name, queries: 0, unpreparable: 0, accepted: 0, failed: 0 };
    for (const q of converted.queries) {
      const kind = q.macro ? 'macro' : 'plain';
      row.queries++;
      counts.total++;
      if (q.macro) counts.macro++;
      if (q.unpreparable !== undefined) {
        row.unpreparable++;
        counts.unpreparable[kind]++;
        unpreparable.push({ ...ref(q), message: q.unpreparable });
        continue;
      }
      counts.preparable[kind]++;
      const outcome = outcomes.get(q);
      const analyzed = outcome?.query;
      if (analyzed === undefined) {
        row.failed++;
        const messages = outcome?.messages ?? [];
        if (messages.length > 0 && messages.every((m) => m.includes('-- :scan-ok <reason>')))
          counts.planGated++;
        // A query counts once per reason, however many of its columns share it.
        const reasons = new Map((outcome?.messages ?? []).map((m) => [failureReason(m, q.name), m]));
        for (const [reason, message] of reasons) {
          const group = groups.get(reason);
          if (group === undefined) groups.set(reason, { count: 1, example: { ...ref(q), message } });
          else group.count++;
        }
        continue;
      }
      row.accepted++;
      counts.accepted[kind]++;
      // The columns of an embedded row are result columns too, typed like any other.
      for (const f of [...analyzed.fields, ...analyzed.embeds.flatMap((e) => e.fields)]) {
        counts.columns++;
        if (f.type.storage === 'any' && f.tsOverride === undefined)
          unknownList.push({ ...ref(q), column: f.field });
        if (/\bany\b/.test(f.tsOverride ?? '')) counts.any++;
      }
      const sqlc = goNames.get(q.name);
      if (sqlc === undefined) {
        notComparable.push(ref(q));
        continue;
      }
      counts.compared++;
      const differ = (
        kind: 'parameter' | 'field',
        ours: readonly string[],
        theirs: readonly string[],
      ): void => {
        for (const pair of nameDifferences(ours, theirs)) {
          differences.push({ ...ref(q), kind, ...pair, viaRename: viaRename(pair, sqlcCase.rename) });
        }
      };
      counts.paramsCompared += sqlc.params.length;
      differ(
        'parameter',
        analyzed.params.map((p) => p.field),
        sqlc.params,
      );
      if (sqlc.fields !== undefined) {
        counts.fieldsCompared++;
        // An embedded row is one field of the row, where its first column is, as in sqlc's struct.
        const members = [...analyzed.fields, ...analyzed.embeds].sort((a, b) => a.index - b.index);
        differ(
          'field',
          members.map((m) => m.field),
          sqlc.fields,
        );
      }
    }
    perCase.push(row);
    const preparable = row.queries - row.unpreparable;
    if (preparable === 0) counts.withoutQueries++;
    else if (row.accepted === preparable) counts.fullyAccepted++;
  });
  return {
    checkout,
    cases: {
      found: cases.length,
      skipped,
      converted: counts.converted,
      fullyAccepted: counts.fullyAccepted,
      withoutQueries: counts.withoutQueries,
    },
    queries: {
      total: counts.total,
      macro: counts.macro,
      preparable: counts.preparable,
      unpreparable: { ...counts.unpreparable, list: unpreparable },
      accepted: counts.accepted,
      planGated: counts.planGated,
    },
    columns: { total: counts.columns, unknown: unknownList.length, any: counts.any, unknownList },
    names: {
      compared: counts.compared,
      notComparable,
      fieldsCompared: counts.fieldsCompared,
      paramsCompared: counts.paramsCompared,
      differences,
    },
    failures: [...groups]
      .map(([reason, g]) => ({ reason, count: g.count, example: g.example }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)),
    dropped: { overrides: counts.overrides, rename: counts.rename, schemaStatements },
    perCase,
  };
}

/** Whether sqlc's name is the target of a `rename` entry whose SQL name is ours. */
function viaRename(
  pair: { ours: string | null; sqlc: string | null },
  rename: Readonly<Record<string, string>>,
): boolean {
  const { ours, sqlc } = pair;
  if (ours === null || sqlc === null) return false;
  return Object.entries(rename).some(
    ([from, to]) => canonicalName(from) === canonicalName(ours) && canonicalName(to) === canonicalName(sqlc),
  );
}
