/** The audit timeline's filters: what the form holds, the API query they make, and the client-side outcome filter. */
import type { AuditDetails, AuditOutcome as Outcome, AuditRecord } from 'govshare-contract';

type AuditDetailValue = AuditDetails[string];

/**
 * The outcomes the filter offers. The console imports only types from govshare-contract (its runtime needs
 * Node), so the list is spelled here; `satisfies` makes the compiler check it names every AuditOutcome, no more.
 */
const OUTCOME_SET = { SUCCESS: true, GRANTED: true, DENIED: true } as const satisfies Record<Outcome, true>;
export const OUTCOMES = Object.keys(OUTCOME_SET) as readonly Outcome[];

export const PAGE_SIZES = [10, 20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 50;

/** The audit API allows at most 92 days between from and to. */
export const MAX_WINDOW_MS = 92 * 86_400_000;

export interface TimelineFilter {
  /** A dataset id, or ''. */
  readonly dataset: string;
  /** A department's MSP id, or ''. Excludes `dataset`: the chaincode walks one index. */
  readonly org: string;
  /** ISO 8601 instants, or '' for the API's default (the last 30 days). */
  readonly from: string;
  readonly to: string;
  /** '' for any outcome; applied by the console, the API has no outcome filter. */
  readonly outcome: Outcome | '';
  readonly limit: number;
}

export const EMPTY_FILTER: TimelineFilter = { dataset: '', org: '', from: '', to: '', outcome: '', limit: DEFAULT_PAGE_SIZE };

function isOutcome(value: string): value is Outcome {
  return (OUTCOMES as readonly string[]).includes(value);
}

/** A reason the API would refuse these filters, found before asking it; undefined when they look fine. */
export function filterProblem(filter: TimelineFilter): string | undefined {
  if (filter.dataset !== '' && filter.org !== '') {
    return 'Filter by dataset or by department, not both: the ledger indexes audit records by one of them.';
  }
  if (filter.from !== '' && filter.to !== '') {
    const from = Date.parse(filter.from);
    const to = Date.parse(filter.to);
    if (from >= to) return '"To" must be after "from".';
    if (to - from > MAX_WINDOW_MS) return 'The time window may be at most 92 days.';
  }
  return undefined;
}

/** The query string of GET /api/v1/audit for one page (outcome is not sent: the API does not filter by it). */
export function auditQuery(filter: TimelineFilter, cursor?: string | null): string {
  const params = new URLSearchParams();
  if (filter.dataset !== '') params.set('dataset', filter.dataset);
  if (filter.org !== '') params.set('org', filter.org);
  if (filter.from !== '') params.set('from', filter.from);
  if (filter.to !== '') params.set('to', filter.to);
  params.set('limit', String(filter.limit));
  if (cursor !== undefined && cursor !== null && cursor !== '') params.set('cursor', cursor);
  return params.toString();
}

export function matchesOutcome(record: AuditRecord, outcome: Outcome | ''): boolean {
  return outcome === '' || record.outcome === outcome;
}

/** The filters as the timeline's URL (#/timeline?...), so a view can be bookmarked and shared. */
export function filterToParams(filter: TimelineFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['dataset', 'org', 'from', 'to', 'outcome'] as const) {
    if (filter[key] !== '') params.set(key, filter[key]);
  }
  if (filter.limit !== DEFAULT_PAGE_SIZE) params.set('limit', String(filter.limit));
  return params;
}

export function filterFromParams(params: URLSearchParams): TimelineFilter {
  const outcome = params.get('outcome') ?? '';
  const limit = Number(params.get('limit') ?? DEFAULT_PAGE_SIZE);
  return {
    dataset: (params.get('dataset') ?? '').trim(),
    org: (params.get('org') ?? '').trim(),
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    outcome: isOutcome(outcome) ? outcome : '',
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_PAGE_SIZE,
  };
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** An ISO instant as the value of an <input type="datetime-local"> (the browser's time zone). */
export function isoToLocalInput(iso: string): string {
  if (iso === '') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${String(date.getFullYear())}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** An <input type="datetime-local"> value (the browser's time zone) as an ISO instant; '' stays ''. */
export function localInputToIso(value: string): string {
  if (value === '') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

export function formatDetail(value: AuditDetailValue): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** An audit record's details as `key: value` lines, keys sorted. */
export function detailLines(details: Readonly<Record<string, AuditDetailValue>>): string[] {
  return Object.keys(details)
    .sort()
    .map((key) => `${key}: ${formatDetail(details[key] ?? '')}`);
}

/** Records of several pages, without duplicates (a live refresh may fetch a record twice), oldest first. */
export function mergeRecords(older: readonly AuditRecord[], newer: readonly AuditRecord[]): AuditRecord[] {
  const seen = new Set(older.map((record) => record.id));
  return [...older, ...newer.filter((record) => !seen.has(record.id))];
}
