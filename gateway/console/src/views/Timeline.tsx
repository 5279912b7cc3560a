import { useEffect, useRef, useState } from 'preact/hooks';

import { getJson } from '../api';
import { problemOf, type Problem } from '../lib/problem';
import { routeHash } from '../lib/route';
import {
  auditQuery,
  detailLines,
  filterProblem,
  isoToLocalInput,
  localInputToIso,
  matchesOutcome,
  OUTCOMES,
  mergeRecords,
  PAGE_SIZES,
  type TimelineFilter,
} from '../lib/timeline';
import type { ApiPage as Page, AuditOutcome as Outcome, AuditRecord } from 'govshare-contract';
import { Instant, ProblemView, ShortId, shorten } from './common';

export const KNOWN_ORGS = ['EducationMSP', 'FinanceMSP', 'JusticeMSP', 'AuditMSP'];

interface Props {
  readonly token: string;
  readonly filter: TimelineFilter;
  /** Bumped for every live event: the timeline then fetches the records newer than the ones it shows. */
  readonly liveTick: number;
  readonly navigate: (hash: string) => void;
}

export function Timeline({ token, filter, liveTick, navigate }: Props) {
  const [draft, setDraft] = useState<TimelineFilter>(filter);
  const [formProblem, setFormProblem] = useState<string | undefined>(undefined);
  const [records, setRecords] = useState<AuditRecord[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(false);
  const [live, setLive] = useState(true);
  /** The query whose first page has been answered (records or a problem): tests and assistive tech wait for it. */
  const [answered, setAnswered] = useState('');
  /** Bumped by "Apply filters" with unchanged filters: the records are fetched again. */
  const [reloads, setReloads] = useState(0);
  const key = auditQuery(filter);
  const loaded = useRef({ key: '', records: [] as AuditRecord[], cursor: null as string | null });

  useEffect(() => {
    setDraft(filter);
    const controller = new AbortController();
    setLoading(true);
    setProblem(null);
    setRecords([]);
    setFresh(new Set());
    setCursor(null);
    getJson<Page<AuditRecord>>(token, `/audit?${key}`, controller.signal)
      .then((page) => {
        loaded.current = { key, records: [...page.items], cursor: page.nextCursor };
        setRecords([...page.items]);
        setCursor(page.nextCursor);
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setProblem(problemOf(error));
      })
      .finally(() => {
        if (controller.signal.aborted) return;
        setLoading(false);
        setAnswered(key);
      });
    return () => {
      controller.abort();
    };
  }, [key, token, reloads]);

  // A live event: with every page loaded, fetch what is newer than the last record shown (with pages left,
  // "Load more" reaches the new records, as the window's end is "now" on every request).
  useEffect(() => {
    if (liveTick === 0 || !live || filter.to !== '') return;
    const state = loaded.current;
    if (state.key !== key || state.cursor !== null) return;
    const last = state.records.at(-1);
    const since: TimelineFilter = last === undefined ? filter : { ...filter, from: last.timestamp };
    getJson<Page<AuditRecord>>(token, `/audit?${auditQuery({ ...since, limit: 100 })}`)
      .then((page) => {
        if (loaded.current.key !== key) return;
        const known = new Set(loaded.current.records.map((record) => record.id));
        const merged = mergeRecords(loaded.current.records, page.items);
        loaded.current = { key, records: merged, cursor: loaded.current.cursor };
        setRecords(merged);
        setFresh((previous) => new Set([...previous, ...page.items.filter((r) => !known.has(r.id)).map((r) => r.id)]));
      })
      .catch(() => {
        // The next event retries; the feed panel shows the stream's state.
      });
  }, [liveTick]);

  const loadMore = (): void => {
    if (cursor === null) return;
    setLoading(true);
    getJson<Page<AuditRecord>>(token, `/audit?${auditQuery(filter, cursor)}`)
      .then((page) => {
        const merged = mergeRecords(loaded.current.records, page.items);
        loaded.current = { key, records: merged, cursor: page.nextCursor };
        setRecords(merged);
        setCursor(page.nextCursor);
      })
      .catch((error: unknown) => {
        setProblem(problemOf(error));
      })
      .finally(() => {
        setLoading(false);
      });
  };

  const submit = (event: Event): void => {
    event.preventDefault();
    const next = { ...draft, dataset: draft.dataset.trim(), org: draft.org.trim() };
    const issue = filterProblem(next);
    setFormProblem(issue);
    if (issue !== undefined) return;
    const hash = routeHash({ view: 'timeline', filter: next });
    // The same filters again: fetch again. (An outcome change alone only filters the records loaded.)
    if (hash === routeHash({ view: 'timeline', filter })) setReloads((count) => count + 1);
    navigate(hash);
  };

  const shown = records.filter((record) => matchesOutcome(record, filter.outcome));
  const set = (change: Partial<TimelineFilter>): void => {
    setDraft({ ...draft, ...change });
  };

  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Audit timeline</h2>
      <form class="filters" onSubmit={submit} aria-describedby="timeline-hint">
        <label>
          Dataset
          <input
            name="dataset"
            value={draft.dataset}
            disabled={draft.org !== ''}
            placeholder="dataset id"
            onInput={(e) => {
              set({ dataset: e.currentTarget.value });
            }}
          />
        </label>
        <label>
          Department
          <input
            name="org"
            list="known-orgs"
            value={draft.org}
            disabled={draft.dataset !== ''}
            placeholder="MSP id, e.g. FinanceMSP"
            onInput={(e) => {
              set({ org: e.currentTarget.value });
            }}
          />
          <datalist id="known-orgs">
            {KNOWN_ORGS.map((org) => (
              <option key={org} value={org} />
            ))}
          </datalist>
        </label>
        <label>
          From
          <input
            type="datetime-local"
            name="from"
            value={isoToLocalInput(draft.from)}
            onChange={(e) => {
              set({ from: localInputToIso(e.currentTarget.value) });
            }}
          />
        </label>
        <label>
          To
          <input
            type="datetime-local"
            name="to"
            value={isoToLocalInput(draft.to)}
            onChange={(e) => {
              set({ to: localInputToIso(e.currentTarget.value) });
            }}
          />
        </label>
        <label>
          Outcome
          <select
            name="outcome"
            value={draft.outcome}
            onChange={(e) => {
              set({ outcome: e.currentTarget.value as Outcome | '' });
            }}
          >
            <option value="">any</option>
            {OUTCOMES.map((outcome) => (
              <option key={outcome} value={outcome}>
                {outcome}
              </option>
            ))}
          </select>
        </label>
        <label>
          Page size
          <select
            name="limit"
            value={String(draft.limit)}
            onChange={(e) => {
              set({ limit: Number(e.currentTarget.value) });
            }}
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={String(size)}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <div class="actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            onClick={() => {
              navigate('#/timeline');
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <p id="timeline-hint" class="hint">
        Filter by dataset <em>or</em> by department (the ledger indexes audit records by one of them, so the other field is disabled
        while one is filled). Without a time window the last 30 days are shown; a window may span at most 92 days. The outcome filter
        is applied in your browser to the records loaded so far: the API has no outcome filter.
      </p>
      {formProblem === undefined ? null : (
        <p class="problem" role="alert">
          {formProblem}
        </p>
      )}
      {problem === null ? null : <ProblemView problem={problem} context="Audit records" />}
      <div class="toolbar">
        <p aria-live="polite" id="timeline-count">
          {loading
            ? 'Loading…'
            : filter.outcome === ''
              ? `${String(records.length)} record(s) loaded${cursor === null ? '' : ', more available'}`
              : `${String(shown.length)} of ${String(records.length)} loaded record(s) have outcome ${filter.outcome}${cursor === null ? '' : ', more available'}`}
        </p>
        <label class="inline">
          <input
            type="checkbox"
            checked={live}
            onChange={(e) => {
              setLive(e.currentTarget.checked);
            }}
          />
          Add new records live
        </label>
      </div>
      <div class="table-wrap">
        <table class="records" id="timeline-records" aria-busy={loading ? 'true' : 'false'} data-query={answered}>
          <caption class="visually-hidden">Audit records, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Type</th>
              <th scope="col">Outcome</th>
              <th scope="col">Actor</th>
              <th scope="col">Dataset</th>
              <th scope="col">Grant / certificate</th>
              <th scope="col">Details</th>
              <th scope="col">Transaction</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((record) => (
              <tr key={record.id} class={fresh.has(record.id) ? 'fresh' : undefined} data-record-id={record.id}>
                <td class="nowrap">
                  <Instant iso={record.timestamp} />
                </td>
                <td>{record.type}</td>
                <td>
                  <span class={`outcome outcome-${record.outcome.toLowerCase()}`}>{record.outcome}</span>
                </td>
                <td>
                  {record.actorId}
                  <br />
                  <small>
                    {record.actorMsp} · {record.role}
                  </small>
                </td>
                <td>{record.datasetId === undefined ? '—' : <a href={routeHash({ view: 'dataset', id: record.datasetId })}>{record.datasetId}</a>}</td>
                <td>
                  {record.grantId === undefined ? null : <a href={routeHash({ view: 'grant', id: record.grantId })} title={record.grantId}>
                      {shorten(record.grantId)}
                    </a>}
                  {record.certificateId === undefined ? null : <ShortId value={record.certificateId} />}
                </td>
                <td>
                  <ul class="details">
                    {detailLines(record.details).map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                </td>
                <td>
                  <ShortId value={record.txId} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cursor === null ? null : (
        <button type="button" onClick={loadMore} disabled={loading}>
          Load more
        </button>
      )}
    </section>
  );
}
