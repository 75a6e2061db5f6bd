import type { Scenario } from '../harness/scenario.js';
import { cliKills } from './cli-kills.js';
import { corruptDb } from './corrupt-db.js';
import { fullDisk } from './full-disk.js';
import { heldLock } from './held-lock.js';
import { hostStormKill } from './host-storm-kill.js';
import { hostileOci } from './hostile-oci.js';
import { runtimeKills } from './runtime-kills.js';

/** Every fault scenario, in the order the suite runs them. */
export const SCENARIOS: readonly Scenario[] = [
  cliKills,
  runtimeKills,
  hostStormKill,
  heldLock,
  fullDisk,
  corruptDb,
  hostileOci,
];
