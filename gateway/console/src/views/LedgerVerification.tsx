import { useState } from 'preact/hooks';

import { getJson } from '../api';
import { problemOf, type Problem } from '../lib/problem';
import type { LedgerVerification as Verification, WhoAmI as Caller } from 'govshare-contract';
import { Instant, ProblemView, ShortId } from './common';

const plural = (count: number, noun: string): string => `${String(count)} ${noun}${count === 1 ? '' : 's'}`;

function ChainSummary({ report }: { report: Verification }) {
  if (report.firstBreak !== undefined) {
    return (
      <p>
        The chain is <strong>broken at block {report.firstBreak.block}</strong>: {report.firstBreak.reason}. Blocks 0–
        {report.verifiedBlocks - 1} verified before the break.
      </p>
    );
  }
  return (
    <p>
      Blocks 0–{report.verifiedBlocks - 1} of {report.channel}: hash chain, data hashes and {plural(report.signatures, 'orderer signature')}{' '}
      verified ({plural(report.configBlocks, 'configuration block')}, {plural(report.transactions, 'transaction')}).{' '}
      {report.genesisTrusted ? 'Block 0 is the genesis block the network was created with.' : 'Block 0 was not compared with a trusted genesis block.'}
    </p>
  );
}

function AuditSummary({ report }: { report: Verification }) {
  const trail = report.auditTrail;
  if (!trail.checked) return <p>The audit trail was not checked: the chain is not trustworthy past its break.</p>;
  if (trail.firstMismatch === undefined) {
    return (
      <p>
        All {trail.records} audit records you may see ({trail.transactions} transactions) name VALID transactions
        {trail.newerThanChain > 0 ? `; ${String(trail.newerThanChain)} were committed after the verified blocks` : ''}.
      </p>
    );
  }
  return (
    <p>
      {trail.mismatches} of {trail.records} audit records do not name a VALID transaction. First: record{' '}
      <ShortId value={trail.firstMismatch.recordId} /> ({trail.firstMismatch.recordType}, transaction <ShortId value={trail.firstMismatch.txId} />
      ): {trail.firstMismatch.reason}
    </p>
  );
}

/** GET /audit/ledger/verify: the ledger checked block by block from this gateway's peer, on request. */
export function LedgerVerification({ token, caller }: { token: string; caller: Caller }) {
  const [report, setReport] = useState<Verification | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  const verify = async (): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      setReport(await getJson<Verification>(token, '/audit/ledger/verify'));
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="ledger-title">
      <h2 id="ledger-title">Ledger verification</h2>
      <p class="hint">
        Reads every block of the channel from this gateway's own peer and checks it without trusting that peer: each header's hash chain and
        data hash, the orderers' signatures against the orderer organisation's CA, block 0 against the genesis block, and that every audit
        record {caller.mspId} may see names a VALID transaction. Auditors only; it reads the whole chain, so it takes a while on a long ledger.
      </p>
      <div class="actions">
        <button type="button" id="verify-ledger" disabled={busy} onClick={() => void verify()}>
          {busy ? 'Verifying…' : 'Verify the ledger'}
        </button>
      </div>
      {problem === null ? null : <ProblemView problem={problem} context="Verification failed" />}
      {report === null ? null : (
        <div class={`verdict ${report.verdict === 'INTACT' ? 'verdict-valid' : 'verdict-unknown'}`} id="ledger-verdict" aria-live="polite">
          <p>
            <span class="verdict-status">{report.verdict}</span> · {report.height} blocks served by {report.servedBy}, checked{' '}
            <Instant iso={report.startedAt} /> in {(report.durationMs / 1000).toFixed(1)} s
          </p>
          <ChainSummary report={report} />
          <AuditSummary report={report} />
        </div>
      )}
    </section>
  );
}
