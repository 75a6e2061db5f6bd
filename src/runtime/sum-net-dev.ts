/**
 * Sums the received and sent bytes of a `/proc/<pid>/net/dev` table over every interface but `lo`
 * (loopback traffic never leaves the machine, so it is not the sandbox's network use).
 *
 * @example
 * ```ts
 * sumNetDev(readFileSync('/proc/self/net/dev', 'utf8')); // { netRxBytes: 220896831, netTxBytes: 462774 }
 * ```
 */
export function sumNetDev(text: string): { netRxBytes: number; netTxBytes: number } {
  let netRxBytes = 0;
  let netTxBytes = 0;
  // Two header lines, then `iface: rx_bytes packets errs drop fifo frame compressed multicast tx_bytes ...`.
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon === -1 || line.slice(0, colon).trim() === 'lo') continue;
    const columns = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    netRxBytes += Number(columns[0] ?? 0);
    netTxBytes += Number(columns[8] ?? 0);
  }
  return { netRxBytes, netTxBytes };
}
