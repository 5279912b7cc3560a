import type { SubmitOptions, SubmitResult } from '../../src/fabric/ledgerClient';
import type { AuthenticatedUser } from '../../src/identity/user';
import { FakeLedger } from './fakeLedger';

/** The fake ledger, plus control over timing and failures of submits (for idempotency and metrics tests). */
export class ControllableLedger extends FakeLedger {
  /** Thrown, in order, by the next submits instead of committing. */
  readonly submitFailures: Error[] = [];
  #gate: Promise<void> | undefined;

  get submitCount(): number {
    return this.calls.filter((call) => call.kind === 'submit').length;
  }

  /** Holds every submit until the returned function is called. */
  holdSubmits(): () => void {
    let release = (): void => undefined;
    this.#gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.#gate = undefined;
      release();
    };
  }

  override async submit(user: AuthenticatedUser, txName: string, args: readonly string[], options?: SubmitOptions): Promise<SubmitResult> {
    if (this.#gate !== undefined) {
      await this.#gate;
    }
    const failure = this.submitFailures.shift();
    if (failure !== undefined) {
      this.calls.push({ kind: 'submit', userId: user.id, txName, args });
      throw failure;
    }
    return await super.submit(user, txName, args, options);
  }
}
