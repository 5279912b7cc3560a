import { useEffect, useState } from 'preact/hooks';

import { getJson } from '../api';
import { grantAuditWindow, grantStages, recordsOfGrant } from '../lib/grant';
import { problemOf, type Problem } from '../lib/problem';
import { routeHash } from '../lib/route';
import { auditQuery, detailLines, EMPTY_FILTER } from '../lib/timeline';
import type { ApiPage as Page, AuditRecord, GrantView as Grant } from 'govshare-contract';
import { IdForm } from './IdForm';
import { Instant, ProblemView, ShortId } from './common';

/** At most this many pages of 100 of the dataset's audit records are read to find the grant's. */
const MAX_PAGES = 20;

async function grantRecords(token: string, grant: Grant, signal: AbortSignal): Promise<{ records: AuditRecord[]; complete: boolean; truncated: boolean }> {
  const window = grantAuditWindow(grant, Date.now());
  const filter = { ...EMPTY_FILTER, dataset: grant.datasetId, from: window.from, to: window.to, limit: 100 };
  const found: AuditRecord[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result: Page<AuditRecord> = await getJson<Page<AuditRecord>>(token, `/audit?${auditQuery(filter, cursor)}`, signal);
    found.push(...recordsOfGrant(result.items, grant.id));
    cursor = result.nextCursor;
    if (cursor === null) return { records: found, complete: true, truncated: window.truncated };
  }
  return { records: found, complete: false, truncated: window.truncated };
}

export function GrantLifecycle({ token, id, navigate }: { token: string; id: string; navigate: (hash: string) => void }) {
  const [grant, setGrant] = useState<Grant | null>(null);
  const [records, setRecords] = useState<{ records: AuditRecord[]; complete: boolean; truncated: boolean } | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    setGrant(null);
    setRecords(null);
    setProblem(null);
    if (id === '') return undefined;
    const controller = new AbortController();
    (async () => {
      const read = await getJson<Grant>(token, `/grants/${encodeURIComponent(id)}`, controller.signal);
      setGrant(read);
      setRecords(await grantRecords(token, read, controller.signal));
    })().catch((error: unknown) => {
      if (!controller.signal.aborted) setProblem(problemOf(error));
    });
    return () => {
      controller.abort();
    };
  }, [id, token]);

  return (
    <section aria-labelledby="grant-title">
      <h2 id="grant-title">Grant lifecycle</h2>
      <IdForm
        label="Grant id"
        name="grant-id"
        value={id}
        button="Show lifecycle"
        onOpen={(next) => {
          navigate(routeHash({ view: 'grant', id: next }));
        }}
      />
      <p class="hint">
        A grant's request, decision (approve or deny), countersignature, and end (withdrawal, revocation or expiry), with every audit record
        that names it, including each data access it allowed or refused.
      </p>
      {problem === null ? null : <ProblemView problem={problem} context={`Grant ${id}`} />}
      {grant === null ? null : (
        <>
          <dl class="summary" id="grant-summary">
            <dt>Status</dt>
            <dd>
              <span class={`status status-${grant.status.toLowerCase()}`}>{grant.status}</span> {grant.active ? '(active now)' : '(not active)'}
            </dd>
            <dt>Dataset</dt>
            <dd>
              <a href={routeHash({ view: 'dataset', id: grant.datasetId })}>{grant.datasetId}</a> of {grant.ownerMsp}
            </dd>
            <dt>Requester</dt>
            <dd>{grant.requesterMsp}</dd>
            <dt>Purpose</dt>
            <dd>
              {grant.purpose.code}: {grant.purpose.text}
            </dd>
            <dt>Legal basis</dt>
            <dd>{grant.legalBasis}</dd>
            <dt>Fields</dt>
            <dd>{grant.fields.join(', ')}</dd>
            <dt>Valid</dt>
            <dd>
              <Instant iso={grant.notBefore} /> to <Instant iso={grant.notAfter} />
            </dd>
            <dt>Countersignature</dt>
            <dd>{grant.countersignatureRequired ? 'required (SECRET dataset)' : 'not required'}</dd>
          </dl>
          <h3>Lifecycle</h3>
          <ol class="lifecycle" id="grant-stages">
            {grantStages(grant).map((stage) => (
              <li key={`${stage.label}:${stage.at}`}>
                <strong>{stage.label}</strong> <Instant iso={stage.at} />
                {stage.by === undefined ? null : <> by {stage.by}</>}
                {stage.txId === undefined ? null : (
                  <>
                    {' '}
                    in <ShortId value={stage.txId} />
                  </>
                )}
                {stage.note === undefined ? null : <div class="note">{stage.note}</div>}
              </li>
            ))}
          </ol>
          <h3>Audit records of this grant</h3>
          {records === null ? (
            <p>Loading the audit records…</p>
          ) : (
            <>
              {records.complete ? null : <p class="hint">Only the first {MAX_PAGES * 100} audit records of the dataset were searched.</p>}
              {records.truncated ? <p class="hint">Only the last 92 days are searched (the audit API's longest window).</p> : null}
              <ol class="lifecycle" id="grant-records">
                {records.records.map((record) => (
                  <li key={record.id}>
                    <strong>{record.type}</strong> <span class={`outcome outcome-${record.outcome.toLowerCase()}`}>{record.outcome}</span>{' '}
                    <Instant iso={record.timestamp} /> by {record.actorId} ({record.actorMsp}, {record.role}) in <ShortId value={record.txId} />
                    <div class="note">{detailLines(record.details).join(' · ')}</div>
                  </li>
                ))}
              </ol>
              {records.records.length === 0 ? <p>No audit record names this grant.</p> : null}
            </>
          )}
        </>
      )}
    </section>
  );
}
