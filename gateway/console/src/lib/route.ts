/** Hash routes of the console: #/timeline?filters, #/datasets/<id>, #/grants/<id>, #/certificates, #/ledger. */
import { EMPTY_FILTER, filterFromParams, filterToParams, type TimelineFilter } from './timeline';

export type Route =
  | { readonly view: 'timeline'; readonly filter: TimelineFilter }
  | { readonly view: 'dataset'; readonly id: string }
  | { readonly view: 'grant'; readonly id: string }
  | { readonly view: 'certificates' }
  | { readonly view: 'ledger' };

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const queryAt = text.indexOf('?');
  const path = queryAt < 0 ? text : text.slice(0, queryAt);
  const params = new URLSearchParams(queryAt < 0 ? '' : text.slice(queryAt + 1));
  const [head = '', ...rest] = path.split('/');
  const id = decodeURIComponent(rest.join('/'));
  switch (head) {
    case 'datasets':
      return { view: 'dataset', id };
    case 'grants':
      return { view: 'grant', id };
    case 'certificates':
      return { view: 'certificates' };
    case 'ledger':
      return { view: 'ledger' };
    case 'timeline':
      return { view: 'timeline', filter: filterFromParams(params) };
    default:
      return { view: 'timeline', filter: EMPTY_FILTER };
  }
}

export function routeHash(route: Route): string {
  switch (route.view) {
    case 'dataset':
      return `#/datasets/${encodeURIComponent(route.id)}`;
    case 'grant':
      return `#/grants/${encodeURIComponent(route.id)}`;
    case 'certificates':
      return '#/certificates';
    case 'ledger':
      return '#/ledger';
    case 'timeline': {
      const query = filterToParams(route.filter).toString();
      return query === '' ? '#/timeline' : `#/timeline?${query}`;
    }
  }
}
