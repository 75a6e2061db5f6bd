/** Sums rx/tx bytes of a `/proc/<pid>/net/dev` table over all interfaces but `lo` (local traffic). */
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
