/** The channel's block-cutting settings, read from the rendered configtx.yaml (printed with every result). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { STATE_DIR } from '../../test/integration/support/network';

export function blockCutting(): { batchTimeout: string; maxMessageCount: string } {
  const configtx = readFileSync(path.join(STATE_DIR, 'channel', 'configtx.yaml'), 'utf8');
  return {
    batchTimeout: /BatchTimeout:\s*(\S+)/.exec(configtx)?.[1] ?? 'unknown',
    maxMessageCount: /MaxMessageCount:\s*(\S+)/.exec(configtx)?.[1] ?? 'unknown',
  };
}
