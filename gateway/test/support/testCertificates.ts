import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Real X.509 material for unit tests, made with openssl as a Fabric CA would make it: an organisation CA and leaf
 * certificates it signs, optionally with the Fabric attribute extension (1.2.3.4.5.6.7.8.1, JSON).
 */
export class TestPki {
  readonly directory = mkdtempSync(path.join(tmpdir(), 'govshare-pki-'));

  #openssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.directory, stdio: 'ignore' });
  }

  /** A self-signed CA named `name`; returns its certificate. */
  ca(name: string): X509Certificate {
    this.#openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
    return new X509Certificate(readFileSync(path.join(this.directory, `${name}.pem`)));
  }

  /** A leaf certificate `name` signed by CA `ca`, with its private key. */
  leaf(
    name: string,
    ca: string,
    options: { extendedKeyUsage?: string; attrs?: Record<string, string> } = {},
  ): { certificate: X509Certificate; pem: string; key: KeyObject } {
    this.#openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`,
      '-keyout', `${name}.key`, '-out', `${name}.csr`);
    const extensions = [
      options.extendedKeyUsage === undefined ? 'keyUsage=digitalSignature' : `extendedKeyUsage=${options.extendedKeyUsage}`,
      ...(options.attrs === undefined ? [] : [`1.2.3.4.5.6.7.8.1=DER:${Buffer.from(JSON.stringify({ attrs: options.attrs })).toString('hex')}`]),
    ];
    writeFileSync(path.join(this.directory, `${name}.ext`), `${extensions.join('\n')}\n`);
    this.#openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '1',
      '-extfile', `${name}.ext`, '-out', `${name}.pem`);
    const pem = readFileSync(path.join(this.directory, `${name}.pem`), 'utf8');
    return { certificate: new X509Certificate(pem), pem, key: createPrivateKey(readFileSync(path.join(this.directory, `${name}.key`))) };
  }

  caPem(name: string): Buffer {
    return readFileSync(path.join(this.directory, `${name}.pem`));
  }

  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}

export const GATEWAY_ATTRS = { 'govshare.role': 'gateway' };
