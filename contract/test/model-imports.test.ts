import * as fs from 'fs';
import * as path from 'path';

const SRC = path.resolve(__dirname, '../src');

/** Every module reachable from `entry` through relative imports, with its bare package imports. */
function packageImports(entry: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm)) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('.')) {
        const base = path.resolve(path.dirname(file), specifier);
        visit(fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts'));
      } else {
        packages.add(specifier);
      }
    }
  };
  visit(entry);
  return packages;
}

describe('govshare-contract', () => {
  it('imports no Fabric package: the gateway and the console depend on it, never on the chaincode', () => {
    const imports = [...packageImports(path.join(SRC, 'index.ts'))];
    expect(imports.filter((name) => /fabric|hyperledger/.test(name))).toEqual([]);
    expect(imports.sort()).toEqual(['json-stringify-deterministic', 'node:crypto', 'zod']);
  });
});
