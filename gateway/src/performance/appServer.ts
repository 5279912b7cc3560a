import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';

import type { Express } from 'express';

/**
 * Server options that make Node's HTTP(S) server create each request and response with the Express app's own
 * prototypes (`app.request`, `app.response`); pass them to `http.createServer` or `https.createServer`.
 *
 * Without them Express gives every request and response its prototypes with `Object.setPrototypeOf` as they
 * enter the app (expressjs/express#5998, nodejs/node#37457). V8 optimises property access by the shape an object
 * was created with; moving a live object to another prototype changes its shape, so the property accesses on
 * req/res in Node's HTTP code, the router and every middleware miss their inline caches, and in a bare Express app
 * on Node 20 about a third of the young objects allocated per request then survive minor GCs (with these options:
 * none) and throughput is a third. Created with the right prototype, Express's `setPrototypeOf` finds it already
 * in place and changes nothing; a sub-app mounted with `app.use` still switches prototypes on its own requests.
 *
 * Empty (Express's own behaviour) if this Node's IncomingMessage or ServerResponse is a class, which cannot be
 * called on an existing object.
 *
 * Justified by: `BENCH_PARTS=p1-evaluate npm run bench` and `npm run bench -- cpu`, bench/HISTORY.md round 4 (the
 * gateway's CPU per read fell from ~0.67 to ~0.56 ms, P1 evaluate from 0.88-0.89x to 0.95-1.02x direct).
 */
export function appServerOptions(app: Express): Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'> {
  if (!callable(IncomingMessage) || !callable(ServerResponse)) return {};
  return {
    IncomingMessage: constructorWithPrototype<typeof IncomingMessage>(IncomingMessage, app.request),
    ServerResponse: constructorWithPrototype<typeof ServerResponse>(ServerResponse, app.response),
  };
}

/** A function-style constructor (not a `class`): it can initialise an object created with another prototype. */
const callable = (constructor: abstract new (...args: never[]) => object): boolean =>
  !Function.prototype.toString.call(constructor).startsWith('class');

/**
 * The ES5 way to subclass: a plain function whose `prototype` is `prototype` (which must inherit from
 * `base.prototype`) and which runs `base` on the new object. Not `Reflect.construct(base, args, newTarget)`: V8 caches
 * the derived shape only for a `class … extends` new target and would build a new map for every object.
 */
function constructorWithPrototype<C extends new (...args: never[]) => object>(base: C, prototype: InstanceType<C>): C {
  if (!((prototype as object) instanceof base)) throw new TypeError(`the prototype does not inherit from ${base.name}`);
  const initialise = base as unknown as (this: object, ...args: ConstructorParameters<C>) => void;
  function Constructed(this: object, ...args: ConstructorParameters<C>): void {
    initialise.apply(this, args);
  }
  Constructed.prototype = prototype;
  return Constructed as unknown as C;
}
