import { useState } from 'preact/hooks';

import { getJson } from '../api';
import { normaliseSha256, sha256Hex } from '../lib/digest';
import { problemOf, type Problem } from '../lib/problem';
import type { CertificateVerification } from 'govshare-contract';
import { Instant, ProblemView } from './common';

const VERDICTS: Readonly<Record<CertificateVerification['status'], string>> = {
  VALID: 'VALID: a certificate was issued for this document and is in force.',
  REVOKED: 'REVOKED: a certificate was issued for this document but has been revoked.',
  EXPIRED: 'EXPIRED: a certificate was issued for this document but its validity has ended.',
  UNKNOWN: 'UNKNOWN: no certificate was issued for this document (not found on the ledger).',
};

interface Checked {
  readonly source: string;
  readonly sha256: string;
}

export function Certificates({ token }: { token: string }) {
  const [checked, setChecked] = useState<Checked | null>(null);
  const [result, setResult] = useState<CertificateVerification | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [pasted, setPasted] = useState('');

  const verify = async (source: string, digest: () => Promise<string>): Promise<void> => {
    setBusy(true);
    setResult(null);
    setProblem(null);
    try {
      const sha256 = await digest();
      setChecked({ source, sha256 });
      setResult(await getJson<CertificateVerification>(token, `/certificates/${sha256}`));
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };

  const verifyFile = (file: File | undefined): void => {
    if (file === undefined) return;
    void verify(`file ${file.name} (${String(file.size)} bytes)`, async () => sha256Hex(await file.arrayBuffer()));
  };

  return (
    <section aria-labelledby="certificates-title">
      <h2 id="certificates-title">Certificate verification</h2>
      <p class="hint">
        The document's SHA-256 is computed in your browser; only the digest is sent to the gateway, never the document.
      </p>
      <div
        class={dragging ? 'dropzone dragging' : 'dropzone'}
        id="dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => {
          setDragging(false);
        }}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          verifyFile(event.dataTransfer?.files[0]);
        }}
      >
        <p>Drop a certificate document here, or</p>
        <label>
          choose a file
          <input
            type="file"
            name="document"
            onChange={(event) => {
              verifyFile(event.currentTarget.files?.[0]);
              event.currentTarget.value = '';
            }}
          />
        </label>
      </div>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          const sha256 = normaliseSha256(pasted);
          if (sha256 === undefined) {
            setProblem({ type: 'about:blank', title: 'Not a SHA-256 digest', status: 0, code: 'BAD_DIGEST', detail: 'Paste 64 hexadecimal characters.' });
            return;
          }
          void verify('pasted digest', () => Promise.resolve(sha256));
        }}
      >
        <label>
          or paste a SHA-256
          <input
            name="sha256"
            value={pasted}
            size={70}
            spellcheck={false}
            onInput={(e) => {
              setPasted(e.currentTarget.value);
            }}
          />
        </label>
        <div class="actions">
          <button type="submit">Verify digest</button>
        </div>
      </form>
      <div aria-live="polite" id="verification">
        {busy ? <p>Verifying…</p> : null}
        {problem === null ? null : <ProblemView problem={problem} context="Verification" />}
        {checked === null || result === null ? null : (
          <div class={`verdict verdict-${result.status.toLowerCase()}`} role="status">
            <p class="verdict-status">{result.status}</p>
            <p>{VERDICTS[result.status]}</p>
            <dl class="summary">
              <dt>Checked</dt>
              <dd>{checked.source}</dd>
              <dt>SHA-256</dt>
              <dd>
                <code>{checked.sha256}</code>
              </dd>
              {result.type === undefined ? null : (
                <>
                  <dt>Type</dt>
                  <dd>{result.type}</dd>
                </>
              )}
              {result.issuerMsp === undefined ? null : (
                <>
                  <dt>Issuer</dt>
                  <dd>{result.issuerMsp}</dd>
                </>
              )}
              {result.notAfter === undefined ? null : (
                <>
                  <dt>Valid until</dt>
                  <dd>
                    <Instant iso={result.notAfter} />
                  </dd>
                </>
              )}
              {result.revokedAt === undefined ? null : (
                <>
                  <dt>Revoked</dt>
                  <dd>
                    <Instant iso={result.revokedAt} /> ({result.revocationReason ?? 'no reason'})
                  </dd>
                </>
              )}
            </dl>
          </div>
        )}
      </div>
    </section>
  );
}
