import type { Problem } from '../lib/problem';

/** An API problem (problem+json): title, detail, code and the field issues, announced to screen readers. */
export function ProblemView({ problem, context }: { problem: Problem; context?: string }) {
  return (
    <div class="problem" role="alert">
      <p>
        <strong>{context === undefined ? problem.title : `${context}: ${problem.title}`}</strong>
        {problem.status > 0 ? <span class="code"> HTTP {problem.status}</span> : null}
        <span class="code"> {problem.code}</span>
      </p>
      {problem.detail === '' ? null : <p>{problem.detail}</p>}
      {problem.issues === undefined ? null : (
        <ul>
          {problem.issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>
              <code>{issue.path === '' ? '(request)' : issue.path}</code>: {issue.message}
            </li>
          ))}
        </ul>
      )}
      {problem.txId === undefined ? null : (
        <p>
          Transaction <code>{problem.txId}</code>
        </p>
      )}
    </div>
  );
}

/** An ISO instant as UTC text (auditors compare it with ledger timestamps). */
export function formatInstant(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function Instant({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatInstant(iso)}</time>;
}

/** A long id (txId, digest) shortened for a table cell. */
export function shorten(value: string): string {
  return value.length > 16 ? `${value.slice(0, 12)}…` : value;
}

/** A long id shortened, the full value in its title. */
export function ShortId({ value }: { value: string }) {
  return (
    <code class="short-id" title={value}>
      {shorten(value)}
    </code>
  );
}
