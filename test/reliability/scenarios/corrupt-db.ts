import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { killGroup } from '../../../src/sandbox/kill-group.js';
import { STACK_FRAME } from '../../support/bad-input.js';
import { checkInvariants } from '../harness/check-invariants.js';
import { runtimeProcesses } from '../harness/home-processes.js';
import { describeOutcome, runMsb } from '../harness/msb-process.js';
import { mustRun } from '../harness/peek-home.js';
import type { Scenario, ScenarioContext } from '../harness/scenario.js';
import { type CheckedHome, summarize, type Trial } from '../harness/scenario-result.js';
import type { SeededRandom } from '../harness/seeded-random.js';

/** One way to damage `db/msb.db` (checkpointed, no process holding it), described for the table. */
interface Damage {
  readonly name: string;
  /** Damage SQLite only notices when a command reads the damaged page: a normal answer is then no failure. */
  readonly unreadUntilTouched?: boolean;
  readonly apply: (db: string, rng: SeededRandom) => void;
}

const PAGE = 4096;

const DAMAGES: readonly Damage[] = [
  {
    name: 'its 100-byte header overwritten with random bytes',
    apply: (db, rng) => overwrite(db, 0, randomBytes(rng, 100)),
  },
  {
    name: 'truncated to half its size',
    apply: (db) => truncateSync(db, Math.floor(statSync(db).size / PAGE / 2) * PAGE),
  },
  {
    name: 'one page in its middle overwritten with random bytes',
    // A documented limit (docs/reliability.md): msb does not scan every page on every command, so damage
    // in pages a command never reads goes unnoticed until one does (SQLITE_CORRUPT, naming the file).
    unreadUntilTouched: true,
    apply: (db, rng) => {
      const pages = statSync(db).size / PAGE;
      overwrite(db, rng.int(Math.floor(pages / 3), pages - 1) * PAGE, randomBytes(rng, PAGE));
    },
  },
  { name: 'truncated to zero bytes', apply: (db) => truncateSync(db, 0) },
  { name: 'replaced by a text file', apply: (db) => writeFileSync(db, 'not a database\n'.repeat(300)) },
  {
    name: "replaced by another program's SQLite database (its own sandbox table, no ledger)",
    apply: (db) => {
      rmSync(db);
      const foreign = new Database(db);
      foreign.exec('CREATE TABLE sandbox (id INTEGER PRIMARY KEY, owner TEXT, size REAL)');
      foreign.exec("INSERT INTO sandbox (owner, size) VALUES ('someone else', 1.5)");
      foreign.close();
    },
  },
  {
    name: 'migrated by a newer msb (ledger at version 99)',
    apply: (db) => {
      const newer = new Database(db);
      newer
        .prepare(
          "INSERT INTO _msb_migrations (version, name, checksum, applied_at) VALUES (99, '0099_future.sql', 'x', 'now')",
        )
        .run();
      newer.close();
    },
  },
  {
    name: 'with a WAL file of random bytes beside it',
    apply: (db, rng) => writeFileSync(`${db}-wal`, randomBytes(rng, 8 * PAGE)),
  },
  {
    name: 'with a shared-memory (-shm) file of random bytes beside it',
    apply: (db, rng) => writeFileSync(`${db}-shm`, randomBytes(rng, 32 * 1024)),
  },
  {
    name: 'replaced by a directory',
    apply: (db) => {
      rmSync(db);
      mkdirSync(db);
    },
  },
];

const SIZES = { sample: [0, 5], quick: [0, 1, 2, 3, 5, 6], full: DAMAGES.map((_, i) => i) } as const;

const SLEEPER = ['--', 'sleep', '600'] as const;

/**
 * Scenario 6: the database file corrupt, truncated or foreign while no process holds it, then the next
 * commands (`ls`, `create`, `start`). Each must either refuse with exit 1 and a message naming the file
 * (leaving the file as it was), or answer as usual (0, 3, 4) on a database that passes
 * `integrity_check`; never hang or print a stack trace. Then a backup from before the damage is put back, and the usual invariants must
 * hold (nothing the failed commands started or made is left behind).
 */
export const corruptDb: Scenario = {
  name: 'corrupt-db',
  async run(ctx) {
    const homes: CheckedHome[] = [];
    for (const index of SIZES[ctx.size]) homes.push(await damaged(ctx, DAMAGES[index]!));
    return { rows: summarize('corrupt-db', homes), homes };
  },
};

async function damaged(ctx: ScenarioContext, damage: Damage): Promise<CheckedHome> {
  const home = ctx.home('corrupt');
  const db = join(home, 'db', 'msb.db');
  await mustRun(home, ['create', 'a', ...SLEEPER]);
  await mustRun(home, ['create', 'b', ...SLEEPER]);
  await mustRun(home, ['stop', 'a']);
  await mustRun(home, ['kill', 'b']);
  // Everything in the main file, no WAL or shared memory left: the damage is all there is.
  const conn = new Database(db);
  conn.pragma('wal_checkpoint(TRUNCATE)');
  conn.pragma('journal_mode = DELETE');
  conn.close();
  const backup = join(home, 'backup.db');
  copyFileSync(db, backup);
  const reopened = new Database(db);
  reopened.pragma('journal_mode = WAL');
  reopened.close();
  damage.apply(db, ctx.rng);

  const trials: Trial[] = [];
  const succeeded: string[] = [];
  for (const args of [['ls'], ['create', 'c', ...SLEEPER], ['start', 'a']]) {
    const before = fingerprint(db);
    const outcome = await runMsb(home, args, { timeoutMs: 30_000 });
    const verb = args[0]!;
    const problems: string[] = [];
    const said = describeOutcome(outcome);
    if (outcome.timedOut) problems.push(`msb ${verb} hung on a database ${damage.name}`);
    else if (STACK_FRAME.test(outcome.stderr)) problems.push(`msb ${verb} printed a stack trace`);
    else if (outcome.code === 1) {
      if (!outcome.stderr.includes('msb.db')) {
        problems.push('the message does not name the database file');
      }
      if (fingerprint(db) !== before) problems.push(`msb ${verb} failed yet changed the database file`);
    } else if (damage.unreadUntilTouched !== true) {
      // Any other answer (ok, not found, conflict) means msb read the file as sound: it must be.
      const integrity = integrityOf(db);
      if (integrity !== 'ok') {
        problems.push(
          `msb ${verb} answered ${outcome.code} on a database failing integrity_check (${integrity.slice(0, 90)})`,
        );
      }
    }
    if (outcome.code === 0 && args[1] !== undefined) succeeded.push(args[1]);
    trials.push({
      group: `msb ls, create, start on a database ${damage.name}`,
      sandboxes: verb === 'create' ? ['c'] : verb === 'start' ? ['a'] : [],
      outcome: `${verb}: ${said}`,
      problems,
    });
    ctx.progress(`corrupt-db: ${damage.name}: msb ${verb}: ${said}`);
  }
  // The operator's way out: stop what the commands that worked started (the backup does not know it),
  // then put back the backup taken before the damage. What failed commands left stays, to be found.
  for (const name of succeeded) {
    for (const runtime of runtimeProcesses(home, name)) killGroup(runtime.pid);
    if (name === 'c') rmSync(join(home, 'sandboxes', name), { recursive: true, force: true });
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  rmSync(db, { recursive: true, force: true });
  renameSync(backup, db);
  const report = await checkInvariants(home, { mustExist: ['a', 'b'] });
  return { label: damage.name, trials, report };
}

function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

function randomBytes(rng: SeededRandom, size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, () => rng.int(0, 255)));
}

/** The file's sha256 (with its WAL's, if any), or what it is when it is not a file. */
function fingerprint(db: string): string {
  if (!existsSync(db)) return 'missing';
  if (!statSync(db).isFile()) return 'not a file';
  const hash = createHash('sha256').update(readFileSync(db));
  if (existsSync(`${db}-wal`)) hash.update(readFileSync(`${db}-wal`));
  return hash.digest('hex');
}

function integrityOf(db: string): string {
  try {
    const conn = new Database(db, { readonly: true });
    try {
      return (conn.pragma('integrity_check') as { integrity_check: string }[])
        .map((r) => r.integrity_check)
        .join('; ')
        .slice(0, 200);
    } finally {
      conn.close();
    }
  } catch (err) {
    return (err as Error).message;
  }
}
