import { type InvariantReport, invariantProblems } from './check-invariants.js';

/**
 * One fault tried: a kill, a command under a held lock, a corrupt file and the next command.
 *
 * @example
 * ```ts
 * const trial: Trial = { group: 'create killed before the insert', sandboxes: ['c3'], delayMs: 40, outcome: 'killed by SIGKILL', problems: [] };
 * ```
 */
export interface Trial {
  /** Where the fault landed or what was tried: trials of one group make one table row. */
  readonly group: string;
  /** The sandboxes this trial touched: problems naming them are the trial's. */
  readonly sandboxes: readonly string[];
  /** When the fault struck, in ms after {@link Trial.delayFrom}. */
  readonly delayMs?: number;
  /** What `delayMs` counts from (default: the faulted command's spawn). */
  readonly delayFrom?: string;
  /** How the faulted command ended (`describeOutcome`), or what the fault did; `not run: <why>` when the
   * machine could not stage the fault (its row then reports that, not a failure). */
  readonly outcome: string;
  /** What this trial itself got wrong beyond the home's invariants (a hang, a stack trace, …). */
  readonly problems: readonly string[];
}

/**
 * One row of the reliability table: a group of trials of one scenario and what the checks found.
 *
 * @example
 * ```ts
 * const failing = results.filter((r: ScenarioResult) => !r.ok);
 * ```
 */
export interface ScenarioResult {
  readonly scenario: string;
  readonly detail: string;
  readonly trials: number;
  /** How the faulted commands ended, counted: `exit 1 ×3, killed by SIGKILL ×9`. */
  readonly outcomes: string;
  readonly dataLost: number;
  readonly runningWithoutRuntime: number;
  readonly orphanProcesses: number;
  readonly leftoverDirs: number;
  readonly rowsWithoutDir: number;
  readonly nextCommandWorks: boolean;
  readonly ok: boolean;
  /** Every broken invariant and trial problem, one line each (deduplicated). */
  readonly problems: readonly string[];
}

/**
 * The trials run against one home and the check made after them.
 *
 * @example
 * ```ts
 * const checked: CheckedHome = { label: 'create kills', trials, report: await checkInvariants(home) };
 * ```
 */
export interface CheckedHome {
  readonly label: string;
  readonly trials: readonly Trial[];
  readonly report: InvariantReport;
}

/**
 * The table rows of one scenario: trials grouped by `group` (in first-seen order), each problem of the
 * home's report given to the trial whose sandbox it names, or to every group when it names none (a
 * broken database, a failing next command).
 *
 * @example
 * ```ts
 * const rows = summarize('cli-kill', [{ label: 'create', trials, report }]);
 * ```
 */
export function summarize(scenario: string, homes: readonly CheckedHome[]): ScenarioResult[] {
  const rows: ScenarioResult[] = [];
  const groups = new Map<string, { trials: Trial[]; homes: Set<CheckedHome> }>();
  for (const home of homes) {
    for (const trial of home.trials) {
      const group = groups.get(trial.group) ?? { trials: [], homes: new Set() };
      group.trials.push(trial);
      group.homes.add(home);
      groups.set(trial.group, group);
    }
  }
  for (const [label, group] of groups) {
    const mine = (home: CheckedHome, sandbox: string | null): boolean => {
      if (sandbox === null || !home.trials.some((t) => t.sandboxes.includes(sandbox))) return true;
      return group.trials.some((t) => home.trials.includes(t) && t.sandboxes.includes(sandbox));
    };
    let dataLost = 0;
    let runningWithoutRuntime = 0;
    let orphanProcesses = 0;
    let leftoverDirs = 0;
    let rowsWithoutDir = 0;
    let nextCommandWorks = true;
    const problems = new Set<string>();
    for (const home of group.homes) {
      const r = home.report;
      const keep = <T>(items: readonly T[], name: (item: T) => string | null): T[] =>
        items.filter((item) => mine(home, name(item)));
      const lost = keep(r.lost, (what) => /^sandbox "(.*)"$/.exec(what)?.[1] ?? null);
      const stuck = keep(r.runningWithoutRuntime, (n) => n);
      const orphans = keep(r.orphanProcesses, (p) => p.sandbox);
      const leftovers = keep(r.leftoverDirs, (d) => d);
      dataLost += lost.length;
      runningWithoutRuntime += stuck.length;
      orphanProcesses += orphans.length;
      leftoverDirs += leftovers.length;
      rowsWithoutDir += keep(r.rowsWithoutDir, (n) => n).length;
      if (r.nextCommand !== 'ok') nextCommandWorks = false;
      const filtered: InvariantReport = {
        ...r,
        lost,
        runningWithoutRuntime: stuck,
        orphanProcesses: orphans,
        leftoverDirs: leftovers,
      };
      for (const problem of invariantProblems(filtered))
        problems.add(problem.replace(/process \d+/, 'process'));
    }
    for (const trial of group.trials) for (const problem of trial.problems) problems.add(problem);
    const delays = group.trials.flatMap((t) => (t.delayMs === undefined ? [] : [t.delayMs]));
    const from = group.trials[0]?.delayFrom ?? 'the spawn';
    const range =
      delays.length === 0 ? '' : `, at ${Math.min(...delays)}–${Math.max(...delays)} ms after ${from}`;
    rows.push({
      scenario,
      detail: `${label} (n=${group.trials.length}${range})`,
      trials: group.trials.length,
      outcomes: countOutcomes(group.trials.map((t) => t.outcome)),
      dataLost,
      runningWithoutRuntime,
      orphanProcesses,
      leftoverDirs,
      rowsWithoutDir,
      nextCommandWorks,
      ok: problems.size === 0,
      problems: [...problems],
    });
  }
  return rows;
}

function countOutcomes(outcomes: readonly string[]): string {
  if (outcomes.length === 1) return outcomes[0]!;
  // Counted by exit status; msb's message is added once when every trial got the same one.
  const counts = new Map<string, number>();
  const messages = new Set<string | undefined>();
  for (const o of outcomes) {
    const [status = o, message] = o.split(': msb: ');
    counts.set(status, (counts.get(status) ?? 0) + 1);
    messages.add(message);
  }
  const [message] = messages;
  const counted = [...counts].map(([status, n]) => (n === 1 ? status : `${status} ×${n}`)).join(', ');
  return messages.size === 1 && message !== undefined ? `${counted} (msb: ${message})` : counted;
}
