/**
 * bench/RESULTS.md: one current table per goal. Each bench command replaces the sections it measured (and
 * only those) with its own tables, headed by the date, the git commit, the command with its BENCH_*
 * settings, the machine's load and the results file; a section another command wrote stays as it was.
 * Sections keep a fixed order, so the file reads the same whichever command ran last. The history of how
 * the figures came about stays in HISTORY.md and the README.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../test/integration/support/network';

/** The sections of RESULTS.md, in the order they appear, and the command that writes each. */
export const SECTIONS = [
  { key: 'capacity', title: 'Capacity by endpoint family (open-loop sweep)', command: 'npm run bench' },
  { key: 'p1', title: 'P1 gateway overhead (REST vs direct SDK, same signer)', command: 'npm run bench' },
  { key: 'p2', title: 'P2 chaincode cost (RegisterDataset vs baselines)', command: 'npm run bench' },
  { key: 'p3', title: 'P3 submit latency at a fixed rate', command: 'npm run bench' },
  { key: 'p4', title: 'P4 costs as the work grows', command: 'npm run bench:scale' },
] as const;
export type SectionKey = (typeof SECTIONS)[number]['key'];

export interface Provenance {
  readonly date: string;
  readonly commit: string;
  readonly command: string;
  readonly loadAverage: readonly number[];
  readonly cpus: number;
  readonly resultsFile: string;
}

const HEADER = [
  '# govshare benchmark results (current)',
  '',
  'Written by the bench commands (`npm run bench`, `npm run bench:scale`): each run replaces the sections it',
  'measured. Goals and how each figure is measured: [README.md](README.md); how the figures came about:',
  '[HISTORY.md](HISTORY.md). The machine is shared: read the side-by-side ratios, not the absolute rates.',
  '',
];

const begin = (key: SectionKey): string => `<!-- section ${key} -->`;
const end = (key: SectionKey): string => `<!-- /section ${key} -->`;

/** The text of one section: its title, where the figures come from, then the body lines. */
export function renderSection(key: SectionKey, provenance: Provenance, body: readonly string[]): string {
  const section = SECTIONS.find((s) => s.key === key);
  if (section === undefined) throw new Error(`unknown RESULTS.md section '${key}'`);
  const load = provenance.loadAverage.map((l) => l.toFixed(1)).join(' / ');
  return [
    begin(key),
    `## ${section.title}`,
    '',
    `${provenance.date}, commit \`${provenance.commit}\`, \`${provenance.command}\`; ${String(provenance.cpus)} CPUs, load average ${load}; \`${provenance.resultsFile}\``,
    '',
    ...body,
    end(key),
  ].join('\n');
}

/** `document` with the given sections replaced (or added in their place in SECTIONS order); others kept. */
export function replaceSections(document: string, rendered: ReadonlyMap<SectionKey, string>): string {
  const kept = new Map<SectionKey, string>();
  for (const { key } of SECTIONS) {
    const from = document.indexOf(begin(key));
    const to = document.indexOf(end(key));
    if (from >= 0 && to > from) kept.set(key, document.slice(from, to + end(key).length));
  }
  const sections = SECTIONS.map(({ key }) => rendered.get(key) ?? kept.get(key)).filter((text): text is string => text !== undefined);
  return `${[...HEADER, sections.join('\n\n')].join('\n')}\n`;
}

export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The command as it was run: its BENCH_* settings (the ones scripts/bench.sh sets for itself left out). */
export function commandLine(command: string): string {
  const settings = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_') && name !== 'BENCH_ASSET_TRANSFER_BASIC_DEPLOYED')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value ?? ''}`);
  return [...settings, command].join(' ');
}

export function provenance(command: string, resultsFile: string, loadAverage: readonly number[] = os.loadavg()): Provenance {
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    commit: gitCommit(),
    command: commandLine(command),
    loadAverage,
    cpus: os.cpus().length,
    resultsFile: path.relative(REPO_ROOT, resultsFile),
  };
}

/** Rewrites bench/RESULTS.md with these sections; returns its path. */
export function recordResults(sections: ReadonlyMap<SectionKey, string>): string {
  const file = path.join(REPO_ROOT, 'bench', 'RESULTS.md');
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  writeFileSync(file, replaceSections(before, sections));
  return file;
}

/** A Markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}
