import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { CaConfig, Role } from '../config';

export interface EnrolledCredentials {
  readonly certPem: string;
  readonly keyPem: string;
}

/** The org's certificate authority: registers an identity with its role as an ecert attribute, then enrolls it. */
export interface CertificateAuthority {
  registerAndEnroll(id: string, role: Role): Promise<EnrolledCredentials>;
}

/** The CA already knows this enrolment id. */
export class IdentityExistsError extends Error {
  override readonly name = 'IdentityExistsError';
}

/** The CA could not be reached or refused the request for another reason. */
export class CertificateAuthorityError extends Error {
  override readonly name = 'CertificateAuthorityError';
}

const CLIENT_TIMEOUT_MS = 30_000;

interface ClientFailure {
  readonly stderr: string;
  readonly message: string;
}

/**
 * The real CA, through the `fabric-ca-client` binary (no shell; arguments passed as an array). The enrolment
 * secret is random, used once and never logged: it is redacted from every error message.
 */
export class FabricCaClient implements CertificateAuthority {
  readonly #config: Omit<CaConfig, 'walletDir'>;

  constructor(config: Omit<CaConfig, 'walletDir'>) {
    this.#config = config;
  }

  async registerAndEnroll(id: string, role: Role): Promise<EnrolledCredentials> {
    const secret = randomBytes(24).toString('hex');
    const redact = (text: string): string => text.replaceAll(secret, '***');
    const tls = ['--caname', this.#config.caName, '--tls.certfiles', this.#config.tlsCertPath];
    const ca = new URL(this.#config.url);

    // The secret goes to fabric-ca-client in its environment (FABRIC_CA_CLIENT_ID_SECRET, FABRIC_CA_CLIENT_URL),
    // never as an argument: any local user can read another process's arguments (ps), not its environment.
    const registered = await this.#run([
      'register',
      '-H', this.#config.registrarHome,
      '-u', `${ca.protocol}//${ca.host}`,
      '--id.name', id,
      '--id.type', 'client',
      '--id.attrs', `role=${role}:ecert`,
      '--id.maxenrollments', '1',
      ...tls,
    ], { FABRIC_CA_CLIENT_ID_SECRET: secret });
    if (registered !== undefined) {
      if (/already registered/i.test(registered.stderr)) {
        throw new IdentityExistsError(`identity '${id}' is already registered with ${this.#config.caName}`);
      }
      throw new CertificateAuthorityError(`could not register '${id}' with ${this.#config.caName}: ${redact(registered.message)}`);
    }

    const home = await mkdtemp(join(tmpdir(), 'govshare-enroll-'));
    try {
      const msp = join(home, 'msp');
      const enrolled = await this.#run(['enroll', '-H', home, '--mspdir', msp, ...tls], {
        FABRIC_CA_CLIENT_URL: `${ca.protocol}//${encodeURIComponent(id)}:${secret}@${ca.host}`,
      });
      if (enrolled !== undefined) {
        throw new CertificateAuthorityError(`could not enroll '${id}' with ${this.#config.caName}: ${redact(enrolled.message)}`);
      }
      const keystore = join(msp, 'keystore');
      const keyFile = (await readdir(keystore)).find((name) => name.endsWith('_sk'));
      if (keyFile === undefined) throw new CertificateAuthorityError(`enrolment of '${id}' left no private key`);
      return {
        certPem: await readFile(join(msp, 'signcerts', 'cert.pem'), 'utf8'),
        keyPem: await readFile(join(keystore, keyFile), 'utf8'),
      };
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }

  /** Runs the client; undefined on success, else what it said (last stderr line), for the caller to redact. */
  #run(args: readonly string[], secrets: Readonly<Record<string, string>>): Promise<ClientFailure | undefined> {
    const env = { ...process.env, ...secrets };
    return new Promise((resolve) => {
      execFile(this.#config.clientBinary, args, { timeout: CLIENT_TIMEOUT_MS, maxBuffer: 1024 * 1024, env }, (err, _stdout, stderr) => {
        if (err === null) {
          resolve(undefined);
          return;
        }
        const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
        resolve({ stderr, message: lines.at(-1) ?? (err.killed ? 'timed out' : `exit code ${String(err.code)}`) });
      });
    });
  }
}
