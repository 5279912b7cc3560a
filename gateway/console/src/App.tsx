import { useEffect, useState } from 'preact/hooks';

import { API, getJson, storedToken, storeToken } from './api';
import { beginSignIn, completeSignIn, isSignInCallback, signInOptions, type OidcSignIn } from './lib/oidc';
import { LiveStream, type LiveEvent, type LiveStatus } from './lib/live';
import { problemOf, type Problem } from './lib/problem';
import { parseHash, routeHash, type Route } from './lib/route';
import { EMPTY_FILTER } from './lib/timeline';
import type { WhoAmI as Caller } from 'govshare-contract';
import { Certificates } from './views/Certificates';
import { DatasetHistory } from './views/DatasetHistory';
import { GrantLifecycle } from './views/GrantLifecycle';
import { LedgerVerification } from './views/LedgerVerification';
import { LiveFeed } from './views/LiveFeed';
import { Timeline } from './views/Timeline';
import { ProblemView } from './views/common';

const MAX_LIVE_EVENTS = 100;

function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const changed = (): void => {
      setRoute(parseHash(location.hash));
    };
    addEventListener('hashchange', changed);
    return () => {
      removeEventListener('hashchange', changed);
    };
  }, []);
  return route;
}

function navigate(hash: string): void {
  if (location.hash === hash) dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

function Login({ problem, onLogin, oidc }: { problem: Problem | null; onLogin: (token: string) => void; oidc: OidcSignIn | null }) {
  const [token, setToken] = useState('');
  const [redirectProblem, setRedirectProblem] = useState<Problem | null>(null);
  return (
    <main class="login">
      <h1>govshare · auditors' console</h1>
      {oidc === null ? null : (
        <p>
          <button
            type="button"
            class="sign-in-oidc"
            onClick={() => {
              beginSignIn(oidc).catch((error: unknown) => {
                setRedirectProblem(problemOf(error));
              });
            }}
          >
            Sign in with your department's identity provider
          </button>
        </p>
      )}
      {redirectProblem === null ? null : <ProblemView problem={redirectProblem} context="Sign-in failed" />}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim() !== '') onLogin(token.trim());
        }}
      >
        <label>
          Bearer token
          <input
            type="password"
            name="token"
            autocomplete="off"
            value={token}
            required
            onInput={(e) => {
              setToken(e.currentTarget.value);
            }}
          />
        </label>
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">
        {oidc === null ? '' : 'Or, for a machine client: '}Paste the API token your department admin gave you. It is kept in this tab's session storage only and sent to this gateway's API; the
        API shows you only what your token may see.
      </p>
      {problem === null ? null : <ProblemView problem={problem} context="Sign-in failed" />}
    </main>
  );
}

const VIEWS: readonly { readonly view: Route['view']; readonly label: string; readonly hash: string }[] = [
  { view: 'timeline', label: 'Timeline', hash: routeHash({ view: 'timeline', filter: EMPTY_FILTER }) },
  { view: 'dataset', label: 'Dataset history', hash: routeHash({ view: 'dataset', id: '' }) },
  { view: 'grant', label: 'Grant lifecycle', hash: routeHash({ view: 'grant', id: '' }) },
  { view: 'certificates', label: 'Certificate verification', hash: routeHash({ view: 'certificates' }) },
  { view: 'ledger', label: 'Ledger verification', hash: routeHash({ view: 'ledger' }) },
];

export function App() {
  const [token, setToken] = useState<string | null>(() => storedToken());
  const [caller, setCaller] = useState<Caller | null>(null);
  const [loginProblem, setLoginProblem] = useState<Problem | null>(null);
  const [events, setEvents] = useState<readonly LiveEvent[]>([]);
  const [liveStatus, setLiveStatus] = useState<LiveStatus>('connecting');
  const [liveTick, setLiveTick] = useState(0);
  const route = useHashRoute();
  const [oidc, setOidc] = useState<OidcSignIn | null>(null);

  // How this gateway signs users in; on the provider's redirect back, exchange the code for the access token.
  useEffect(() => {
    signInOptions()
      .then(async (options) => {
        setOidc(options);
        if (options !== null && isSignInCallback()) setToken(await completeSignIn(options));
      })
      .catch((error: unknown) => {
        setLoginProblem(problemOf(error));
      });
  }, []);

  useEffect(() => {
    setCaller(null);
    if (token === null) return undefined;
    const controller = new AbortController();
    getJson<Caller>(token, '/me', controller.signal)
      .then((me) => {
        storeToken(token);
        setLoginProblem(null);
        setCaller(me);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        storeToken(null);
        setToken(null);
        setLoginProblem(problemOf(error));
      });
    return () => {
      controller.abort();
    };
  }, [token]);

  useEffect(() => {
    if (token === null || caller === null) return undefined;
    setEvents([]);
    const stream = new LiveStream({
      url: `${API}/events`,
      token,
      onEvent: (event) => {
        setEvents((previous) => [event, ...previous].slice(0, MAX_LIVE_EVENTS));
        setLiveTick((tick) => tick + 1);
      },
      onStatus: (status) => {
        setLiveStatus(status);
      },
    });
    void stream.start();
    return () => {
      stream.stop();
    };
  }, [token, caller]);

  if (token === null || caller === null) {
    return token !== null && loginProblem === null ? <p class="loading">Signing in…</p> : <Login problem={loginProblem} onLogin={setToken} oidc={oidc} />;
  }

  const signOut = (): void => {
    storeToken(null);
    setToken(null);
  };

  return (
    <>
      <header class="top">
        <h1>govshare · auditors' console</h1>
        <p id="whoami">
          Signed in as <strong>{caller.id}</strong> ({caller.role}, {caller.mspId})
        </p>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Views">
        <ul>
          {VIEWS.map((entry) => (
            <li key={entry.view}>
              <a href={entry.hash} aria-current={route.view === entry.view ? 'page' : undefined}>
                {entry.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="layout">
        <main>
          {route.view === 'timeline' ? <Timeline token={token} filter={route.filter} liveTick={liveTick} navigate={navigate} /> : null}
          {route.view === 'dataset' ? <DatasetHistory token={token} id={route.id} navigate={navigate} /> : null}
          {route.view === 'grant' ? <GrantLifecycle token={token} id={route.id} navigate={navigate} /> : null}
          {route.view === 'certificates' ? <Certificates token={token} /> : null}
          {route.view === 'ledger' ? <LedgerVerification token={token} caller={caller} /> : null}
        </main>
        <LiveFeed events={events} status={liveStatus} />
      </div>
    </>
  );
}
