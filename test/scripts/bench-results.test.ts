/**
 * bench/RESULTS.md keeps one current table per goal: a bench run replaces the sections it measured, keeps the
 * others as they were, and the sections stay in one order whichever command ran last.
 */
import { commandLine, renderSection, replaceSections, type Provenance } from '../../bench/src/results';

const origin = (commit: string): Provenance => ({
  date: '2026-12-04 05:00 UTC',
  commit,
  command: 'npm run bench',
  loadAverage: [1.5, 2, 2.5],
  cpus: 2,
  resultsFile: `bench/results/${commit}.json`,
});

describe('bench/RESULTS.md sections', () => {
  test('a run replaces its own sections and keeps the others, in the fixed order', () => {
    const first = replaceSections(
      '',
      new Map([
        ['p4', renderSection('p4', origin('aaa1111'), ['P4 table from the first run'])],
        ['p1', renderSection('p1', origin('aaa1111'), ['P1 table from the first run'])],
      ]),
    );
    expect(first.indexOf('P1 table')).toBeLessThan(first.indexOf('P4 table'));

    const second = replaceSections(first, new Map([['p1', renderSection('p1', origin('bbb2222'), ['P1 table from the second run'])]]));
    expect(second).toContain('P1 table from the second run');
    expect(second).not.toContain('P1 table from the first run');
    // P4 was not measured again: its table, and where it came from, stay.
    expect(second).toContain('P4 table from the first run');
    expect(second).toContain('commit `aaa1111`');
    expect(second).toContain('commit `bbb2222`');
    // Once each: the header is not repeated and no section is doubled.
    expect(second.match(/^# govshare benchmark results/gm)).toHaveLength(1);
    expect(second.match(/<!-- section p1 -->/g)).toHaveLength(1);
    expect(replaceSections(second, new Map())).toBe(second);
  });

  test('each section says when, at which commit, with which command and settings, and on how loaded a machine', () => {
    const text = renderSection('p2', { ...origin('ccc3333'), command: 'BENCH_CONCURRENCY=96 npm run bench' }, ['body']);
    expect(text).toContain('2026-12-04 05:00 UTC, commit `ccc3333`, `BENCH_CONCURRENCY=96 npm run bench`; 2 CPUs, load average 1.5 / 2.0 / 2.5');
    expect(text).toContain('`bench/results/ccc3333.json`');
  });

  test('the command line carries the BENCH_* settings of the run, sorted, without the ones the script sets for itself', () => {
    const saved = { ...process.env };
    try {
      process.env.BENCH_SECONDS = '20';
      process.env.BENCH_CONCURRENCY = '96';
      process.env.BENCH_ASSET_TRANSFER_BASIC_DEPLOYED = 'basic';
      expect(commandLine('npm run bench')).toMatch(/^BENCH_CONCURRENCY=96 (.* )?BENCH_SECONDS=20 npm run bench$/);
      expect(commandLine('npm run bench')).not.toContain('DEPLOYED');
    } finally {
      process.env = saved;
    }
  });
});
