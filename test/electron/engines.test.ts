/**
 * `engines` tells the truth (issue 18, item 8): package.json's Node range is
 * one every tool the project's scripts run accepts (build, tests, lint, the
 * CLI), so npm install and npm test work on each version it admits (the CI
 * machine runs Node 20). Electron's installer alone needs more (electron 45:
 * Node >= 22.12); that is the desktop app's requirement, which `npm start`
 * reads from the electron package and explains (test/electron/start.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const require = createRequire(path.join(ROOT, 'package.json'));
const semver = require('semver') as {
  subset(sub: string, dom: string): boolean;
  satisfies(v: string, range: string): boolean;
};
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

/** A dependency's engines.node (undefined when it states none, or is not installed yet). */
function enginesOf(name: string): string | undefined {
  const file = path.join(ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { engines?: { node?: string } }).engines?.node;
}

describe('engines.node', () => {
  it('admits only Node versions every development tool accepts', () => {
    const refused = Object.keys(pkg.devDependencies)
      .filter((name) => name !== 'electron')
      .map((name) => [name, enginesOf(name)] as const)
      .filter(([, range]) => range !== undefined && !semver.subset(pkg.engines.node, range));
    expect(refused).toEqual([]);
  });

  it("admits the CI machine's Node 20 and the Node Electron's installer needs", () => {
    expect(semver.satisfies('20.19.0', pkg.engines.node)).toBe(true);
    expect(semver.satisfies('24.0.0', pkg.engines.node)).toBe(true);
    const electron = enginesOf('electron')!;
    expect(electron).toBe('>= 22.12.0'); // start.mjs reads this; update README's desktop section if it changes
  });
});
