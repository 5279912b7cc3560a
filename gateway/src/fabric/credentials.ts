import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import type { Hash, Identity, Signer } from '@hyperledger/fabric-gateway';

import { newMessageSigner } from '../performance/ecdsaSigner';

export interface SigningCredentials {
  readonly identity: Identity;
  readonly signer: Signer;
  /** The hash fabric-gateway applies to a message before `signer` signs it (hash.none when the signer hashes). */
  readonly hash: Hash;
}

export interface CredentialFiles {
  readonly certPath: string;
  readonly keyPath: string;
}

/** Reads a user's enrolment certificate and private key (PEM); throws naming the file that is unusable. */
export async function loadSigningCredentials(mspId: string, files: CredentialFiles): Promise<SigningCredentials> {
  const credentials = await readFile(files.certPath).catch((err: unknown) => {
    throw new Error(`Cannot read certificate ${files.certPath}: ${(err as Error).message}`);
  });
  const keyPem = await readFile(files.keyPath).catch((err: unknown) => {
    throw new Error(`Cannot read private key ${files.keyPath}: ${(err as Error).message}`);
  });
  let signing: { signer: Signer; hash: Hash };
  try {
    signing = newMessageSigner(createPrivateKey(keyPem));
  } catch (err) {
    throw new Error(`Unusable private key ${files.keyPath}: ${(err as Error).message}`);
  }
  return { identity: { mspId, credentials }, ...signing };
}
