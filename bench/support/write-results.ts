import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/**
 * One bar of a results chart: a label and a value, with the unit shown on the axis.
 *
 * @example
 * ```ts
 * const bar: Bar = { label: 'typed', value: 41.2 };
 * ```
 */
export interface Bar {
  readonly label: string;
  readonly value: number;
}

/**
 * A group of bars sharing a unit (one panel of the chart).
 *
 * @example
 * ```ts
 * const panel: Panel = { title: 'sandboxes/s', unit: '/s', bars: [{ label: 'typed', value: 41 }] };
 * ```
 */
export interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
}

/**
 * Writes `bench/results/<name>.json` (the full results, with the command that made them and the machine)
 * and `bench/results/<name>.svg` (horizontal bar panels), and returns both paths.
 *
 * @example
 * ```ts
 * writeResults('call-overhead', 'npm run bench:calls', results, [panel]);
 * ```
 */
export function writeResults(
  name: string,
  command: string,
  results: unknown,
  panels: readonly Panel[],
  dir = join(import.meta.dirname, '..', 'results'),
): { json: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${name}.json`);
  const svg = join(dir, `${name}.svg`);
  const document = {
    name,
    command,
    recordedAt: new Date().toISOString(),
    machine: machineSummary(),
    results,
  };
  writeFileSync(json, `${JSON.stringify(document, null, 2)}\n`);
  writeFileSync(svg, renderSvg(name, panels));
  return { json, svg };
}

/**
 * The machine a result was measured on: Node version, platform, cores, CPU model and memory.
 *
 * @example
 * ```ts
 * const document = { command, machine: machineSummary(), results };
 * ```
 */
export function machineSummary(): Record<string, unknown> {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

const BAR_HEIGHT = 22;
const PANEL_GAP = 34;
const LABEL_WIDTH = 150;
const BAR_WIDTH = 420;

function renderSvg(title: string, panels: readonly Panel[]): string {
  const parts: string[] = [];
  let y = 30;
  parts.push(`<text x="10" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  for (const panel of panels) {
    y += 18;
    parts.push(`<text x="10" y="${y}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`);
    y += 8;
    const max = Math.max(...panel.bars.map((bar) => bar.value), Number.MIN_VALUE);
    for (const bar of panel.bars) {
      const width = Math.max(1, (bar.value / max) * BAR_WIDTH);
      parts.push(
        `<text x="10" y="${y + 15}" font-size="12">${escapeXml(bar.label)}</text>`,
        `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${width.toFixed(1)}" height="${BAR_HEIGHT - 6}" fill="#4a7bd0"/>`,
        `<text x="${LABEL_WIDTH + width + 6}" y="${y + 15}" font-size="12">${escapeXml(formatValue(bar.value))} ${escapeXml(panel.unit)}</text>`,
      );
      y += BAR_HEIGHT;
    }
    y += PANEL_GAP - 18;
  }
  const height = y + 10;
  const width = LABEL_WIDTH + BAR_WIDTH + 140;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
