#!/usr/bin/env node
// Encrypts and decrypts govshare backup archives (scripts/backup.sh, scripts/restore.sh).
//   backup-crypt.js encrypt <key file> <plain tar> <archive>
//   backup-crypt.js decrypt <key file> <archive> <plain tar>
// The key file holds a passphrase or random key bytes (any length ≥ 16 bytes; never on a command line); the
// archive key is derived from it with scrypt and a random salt. AES-256-GCM authenticates the whole archive: a
// wrong key, a truncated or a tampered archive fails to decrypt, and no partial output is left behind.
// Format: the line "GOVSHARE-BACKUP-1", a JSON header line {kdf, salt, iv, org, createdAt}, the ciphertext, then
// the 16-byte GCM tag. The header is authenticated too (it is the cipher's additional data).
'use strict';
const nodeCrypto = require('node:crypto');
const fs = require('node:fs');
const { pipeline } = require('node:stream/promises');
const { Transform } = require('node:stream');

const MAGIC = 'GOVSHARE-BACKUP-1';
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const TAG_BYTES = 16;

function readKeyMaterial(file) {
  const stat = fs.statSync(file);
  if ((stat.mode & 0o077) !== 0) throw new Error(`key file ${file} is readable by others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`);
  const material = fs.readFileSync(file);
  const trimmed = Buffer.from(material.toString('latin1').replace(/\r?\n$/, ''), 'latin1');
  if (trimmed.length < 16) throw new Error(`key file ${file} holds fewer than 16 bytes: use a longer passphrase or random key`);
  return trimmed;
}

function deriveKey(material, salt) {
  return nodeCrypto.scryptSync(material, salt, 32, SCRYPT);
}

async function encrypt(keyFile, input, output) {
  const salt = nodeCrypto.randomBytes(16);
  const iv = nodeCrypto.randomBytes(12);
  const header = JSON.stringify({
    kdf: { name: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    org: process.env.GOVSHARE_BACKUP_ORG ?? '',
    createdAt: new Date().toISOString(),
  });
  const prefix = Buffer.from(`${MAGIC}\n${header}\n`, 'utf8');
  const cipher = nodeCrypto.createCipheriv('aes-256-gcm', deriveKey(readKeyMaterial(keyFile), salt), iv);
  cipher.setAAD(prefix);
  const partial = `${output}.partial`;
  const out = fs.createWriteStream(partial, { mode: 0o600 });
  out.write(prefix);
  await pipeline(fs.createReadStream(input), cipher, out);
  fs.appendFileSync(partial, cipher.getAuthTag());
  fs.renameSync(partial, output);
}

function readHeader(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    const text = head.subarray(0, n).toString('latin1');
    const first = text.indexOf('\n');
    const second = text.indexOf('\n', first + 1);
    if (first < 0 || second < 0 || text.slice(0, first) !== MAGIC) throw new Error(`${file} is not a govshare backup archive`);
    const prefix = head.subarray(0, second + 1);
    return { prefix, header: JSON.parse(text.slice(first + 1, second)) };
  } finally {
    fs.closeSync(fd);
  }
}

async function decrypt(keyFile, input, output) {
  const { prefix, header } = readHeader(input);
  if (header.cipher !== 'aes-256-gcm' || header.kdf?.name !== 'scrypt') throw new Error(`unsupported archive format: ${JSON.stringify(header)}`);
  const size = fs.statSync(input).size;
  if (size < prefix.length + TAG_BYTES) throw new Error(`${input} is truncated`);
  const tag = Buffer.alloc(TAG_BYTES);
  const fd = fs.openSync(input, 'r');
  fs.readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  fs.closeSync(fd);
  const key = nodeCrypto.scryptSync(readKeyMaterial(keyFile), Buffer.from(header.kdf.salt, 'base64'), 32, {
    N: header.kdf.N,
    r: header.kdf.r,
    p: header.kdf.p,
    maxmem: SCRYPT.maxmem,
  });
  const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', key, Buffer.from(header.iv, 'base64'));
  decipher.setAAD(prefix);
  decipher.setAuthTag(tag);
  const partial = `${output}.partial`;
  try {
    await pipeline(
      fs.createReadStream(input, { start: prefix.length, end: size - TAG_BYTES - 1 }),
      decipher,
      new Transform({ transform: (chunk, _encoding, done) => done(null, chunk) }),
      fs.createWriteStream(partial, { mode: 0o600 }),
    );
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw new Error(`cannot decrypt ${input}: wrong key file, or the archive is damaged (${err.message})`);
  }
  fs.renameSync(partial, output);
  process.stdout.write(`${JSON.stringify({ org: header.org, createdAt: header.createdAt })}\n`);
}

async function main() {
  const [command, keyFile, input, output] = process.argv.slice(2);
  if (!['encrypt', 'decrypt'].includes(command) || !keyFile || !input || !output) {
    throw new Error('usage: backup-crypt.js encrypt|decrypt <key file> <input> <output>');
  }
  await (command === 'encrypt' ? encrypt(keyFile, input, output) : decrypt(keyFile, input, output));
}

main().catch((err) => {
  process.stderr.write(`backup-crypt: ${err.message}\n`);
  process.exit(1);
});
