import { useEffect, useState } from 'preact/hooks';

import { getJson } from '../api';
import { historyRows } from '../lib/history';
import { problemOf, type Problem } from '../lib/problem';
import { routeHash } from '../lib/route';
import { EMPTY_FILTER } from '../lib/timeline';
import type { DatasetHistoryEntry } from 'govshare-contract';
import { IdForm } from './IdForm';
import { Instant, ProblemView, ShortId } from './common';

export function DatasetHistory({ token, id, navigate }: { token: string; id: string; navigate: (hash: string) => void }) {
  const [entries, setEntries] = useState<readonly DatasetHistoryEntry[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    setEntries(null);
    setProblem(null);
    if (id === '') return undefined;
    const controller = new AbortController();
    getJson<{ items: DatasetHistoryEntry[] }>(token, `/datasets/${encodeURIComponent(id)}/history`, controller.signal)
      .then((body) => {
        setEntries(body.items);
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setProblem(problemOf(error));
      });
    return () => {
      controller.abort();
    };
  }, [id, token]);

  const rows = entries === null ? [] : historyRows(entries);
  const current = entries?.[0]?.value ?? null;
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Dataset history</h2>
      <IdForm
        label="Dataset id"
        name="dataset-id"
        value={id}
        button="Show history"
        onOpen={(next) => {
          navigate(routeHash({ view: 'dataset', id: next }));
        }}
      />
      <p class="hint">Every committed version of the dataset's catalogue entry, newest first, with what each transaction changed.</p>
      {problem === null ? null : <ProblemView problem={problem} context={`Dataset ${id}`} />}
      {current === null ? null : (
        <dl class="summary">
          <dt>Title</dt>
          <dd>{current.title}</dd>
          <dt>Owner</dt>
          <dd>{current.ownerMsp}</dd>
          <dt>Classification</dt>
          <dd>{current.classification}</dd>
          <dt>Status</dt>
          <dd>{current.status}</dd>
          <dt>Audit records</dt>
          <dd>
            <a href={routeHash({ view: 'timeline', filter: { ...EMPTY_FILTER, dataset: id } })}>timeline of {id}</a>
          </dd>
        </dl>
      )}
      {entries === null ? null : (
        <div class="table-wrap">
          <table class="records" id="history-records">
            <caption>
              {entries.length} version(s) of {id}
            </caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Transaction</th>
                <th scope="col">Actor</th>
                <th scope="col">Status</th>
                <th scope="col">What changed</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ entry, changes }) => (
                <tr key={entry.txId}>
                  <td>{entry.value === null ? '(deleted)' : `v${String(entry.value.version)} (content v${String(entry.value.contentVersion)})`}</td>
                  <td class="nowrap">
                    <Instant iso={entry.timestamp} />
                  </td>
                  <td>
                    <ShortId value={entry.txId} />
                  </td>
                  <td>
                    {entry.value === null ? '—' : (
                      <>
                        {entry.value.updated.actor.id}
                        <br />
                        <small>{entry.value.updated.actor.mspId}</small>
                      </>
                    )}
                  </td>
                  <td>{entry.value?.status ?? '—'}</td>
                  <td>
                    <ul class="details">
                      {changes.length === 0 ? <li>no catalogue change</li> : null}
                      {changes.map((change) => (
                        <li key={change.property}>
                          <strong>{change.property}</strong>: {change.description}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
