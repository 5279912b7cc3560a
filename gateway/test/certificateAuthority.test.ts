import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { FabricCaClient } from '../src/identity/certificateAuthority';

/**
 * FabricCaClient against a stand-in fabric-ca-client (a shell script) that records every argument list and the
 * secrets it finds in its environment, then enrols like the real one: a certificate and a key in the MSP dir.
 */
describe('FabricCaClient', () => {
  let directory: string;
  let log: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'govshare-ca-'));
    log = path.join(directory, 'calls.log');
    const script = path.join(directory, 'fabric-ca-client');
    writeFileSync(
      script,
      `#!/bin/sh
printf 'ARGS %s\\n' "$*" >>"${log}"
printf 'ENV secret=%s url=%s\\n' "$FABRIC_CA_CLIENT_ID_SECRET" "$FABRIC_CA_CLIENT_URL" >>"${log}"
if [ "$1" = enroll ]; then
  while [ $# -gt 0 ]; do [ "$1" = --mspdir ] && msp="$2"; shift; done
  mkdir -p "$msp/signcerts" "$msp/keystore"
  echo CERT >"$msp/signcerts/cert.pem"; echo KEY >"$msp/keystore/abc_sk"
fi
`,
    );
    chmodSync(script, 0o755);
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('registers and enrols with the one-time secret in the environment, never on the command line', async () => {
    const ca = new FabricCaClient({
      url: 'https://127.0.0.1:7051',
      caName: 'ca-education',
      tlsCertPath: '/dev/null',
      registrarHome: '/registrar',
      clientBinary: path.join(directory, 'fabric-ca-client'),
    });

    const enrolled = await ca.registerAndEnroll('education-clerk', 'officer');

    expect(enrolled).toEqual({ certPem: 'CERT\n', keyPem: 'KEY\n' });
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const args = lines.filter((line) => line.startsWith('ARGS '));
    const envs = lines.filter((line) => line.startsWith('ENV '));
    expect(args).toHaveLength(2);
    expect(args[0]).toContain('register');
    expect(args[0]).toContain('--id.attrs role=officer:ecert');
    const secret = /secret=([0-9a-f]{48}) /.exec(envs[0] ?? '')?.[1];
    expect(secret).toBeDefined();
    expect(envs[1]).toContain(`url=https://education-clerk:${secret ?? ''}@127.0.0.1:7051`);
    for (const line of args) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain('--id.secret');
    }
  });
});
