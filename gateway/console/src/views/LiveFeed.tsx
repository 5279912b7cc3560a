import type { LiveEvent, LiveStatus } from '../lib/live';
import { routeHash } from '../lib/route';

const STATUS_TEXT: Readonly<Record<LiveStatus, string>> = {
  connecting: 'connecting…',
  open: 'connected',
  reconnecting: 'reconnecting…',
  stopped: 'stopped',
  unauthorized: 'refused: sign in again',
};

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The chaincode events of GET /api/v1/events as they arrive, newest first. */
export function LiveFeed({ events, status }: { events: readonly LiveEvent[]; status: LiveStatus }) {
  return (
    <aside class="live" aria-labelledby="live-title">
      <h2 id="live-title">Live events</h2>
      <p>
        Stream: <span class={`stream stream-${status}`} id="live-status">{STATUS_TEXT[status]}</span>
      </p>
      {events.length === 0 ? <p class="hint">Events appear here as blocks are committed.</p> : null}
      <ol class="feed" id="live-events" aria-live="polite">
        {events.map((event) => {
          const datasetId = text(event.data.datasetId);
          const grantId = text(event.data.grantId);
          const block = event.id.split(':')[0] ?? '';
          return (
            <li key={event.id}>
              <strong>{event.event}</strong> <small>block {block}</small>
              {datasetId === undefined ? null : (
                <div>
                  dataset <a href={routeHash({ view: 'dataset', id: datasetId })}>{datasetId}</a>
                </div>
              )}
              {grantId === undefined ? null : (
                <div>
                  grant <a href={routeHash({ view: 'grant', id: grantId })}>{grantId}</a>
                </div>
              )}
              {text(event.data.decision) === undefined ? null : <div>decision {text(event.data.decision)}</div>}
            </li>
          );
        })}
      </ol>
    </aside>
  );
}
