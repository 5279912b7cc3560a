import { execFileSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
// An existing file under chaincode/src, so the chaincode-only rules apply and the typed-lint project
// service knows it; lintText lints the given code in its place and never touches the file.
const FILE = path.join(ROOT, 'chaincode/src/domain/tx.ts');

const SAMPLES = {
  'Date.now()': 'export const t = Date.now();\n',
  'new Date()': 'export const t = new Date();\n',
  'Math.random()': 'export const r = Math.random();\n',
  'setTimeout(...)': 'setTimeout(() => undefined, 10);\n',
  'new Date(seconds * 1000)':
    'export function iso(seconds: number): string {\n  return new Date(seconds * 1000).toISOString();\n}\n',
} as const;
type Sample = keyof typeof SAMPLES;

/**
 * `new ESLint({ cwd: ROOT }).lintText(code, { filePath })` for every sample, run in a child Node
 * process (see support/lint-text.cjs for why).
 */
function lintSamples(): Record<Sample, string[]> {
  const names = Object.keys(SAMPLES) as Sample[];
  const stdout = execFileSync(process.execPath, [path.join(__dirname, 'support/lint-text.cjs')], {
    cwd: ROOT,
    input: JSON.stringify({ cwd: ROOT, samples: names.map((name) => ({ code: SAMPLES[name], filePath: FILE })) }),
    encoding: 'utf8',
  });
  const ruleIds = JSON.parse(stdout) as string[][];
  return Object.fromEntries(names.map((name, i) => [name, ruleIds[i] ?? []])) as Record<Sample, string[]>;
}

describe('ESLint determinism rules for chaincode sources', () => {
  let results: Record<Sample, string[]>;

  beforeAll(() => {
    results = lintSamples();
  }, 120_000);

  it.each<[Sample, string]>([
    ['Date.now()', 'no-restricted-properties'],
    ['new Date()', 'no-restricted-syntax'],
    ['Math.random()', 'no-restricted-properties'],
    ['setTimeout(...)', 'no-restricted-globals'],
  ])('rejects %s', (sample, rule) => {
    expect(results[sample]).toContain(rule);
  });

  it('accepts a Date built from the transaction timestamp', () => {
    expect(results['new Date(seconds * 1000)']).toEqual([]);
  });
});
