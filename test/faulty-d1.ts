// A D1 in front of the real one whose failures a test controls: an outage (`down`), the next N batches refused
// before D1 runs them (`failNext`), or applied and then answered with an error (`lostAnswers`, as when D1's
// answer is lost on the way back). Used by the test subclasses of the Durable Objects (test/worker.ts).
export class FaultyD1 {
  down = false;
  failNext = 0;
  lostAnswers = 0;

  constructor(private readonly real: () => D1Database) {}

  private check(): void {
    if (this.down) throw new Error("D1 unavailable (test: down)");
  }

  prepare(query: string): D1PreparedStatement {
    this.check();
    return this.real().prepare(query);
  }

  async batch<T>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    this.check();
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("D1 unavailable (test: failNext)");
    }
    const out = await this.real().batch<T>(statements);
    if (this.lostAnswers > 0) {
      this.lostAnswers--;
      throw new Error("D1 answer lost (test)");
    }
    return out;
  }

  exec(query: string): Promise<D1ExecResult> {
    this.check();
    return this.real().exec(query);
  }

  dump(): Promise<ArrayBuffer> {
    return this.real().dump();
  }

  withSession(constraint?: string): D1DatabaseSession {
    return this.real().withSession(constraint);
  }

  asD1(): D1Database {
    return this as unknown as D1Database;
  }
}

/** One FaultyD1 per object (kept outside the instance: the object's constructor needs it before field init). */
const perObject = new WeakMap<object, FaultyD1>();

export function faultsOf(owner: object, real: () => D1Database): FaultyD1 {
  let f = perObject.get(owner);
  if (!f) perObject.set(owner, (f = new FaultyD1(real)));
  return f;
}
