// A refusal of a List of trades CSV names the FIRST bad line (CONTRACT: 400 invalid_csv "whose message names the
// first bad line number"). Checks of one file run in several passes (rows, pairs, values), so each problem is kept
// and the one on the smallest line wins. Pure.

/** A problem with the CSV on a 1-based line (the header is line 1). */
export class CsvProblem extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/** Runs checks and keeps the problem on the smallest line, so the message names the first bad line whichever
 * check finds it (a bad price on line 3 is reported before an unpaired row on line 2 000). */
export class FirstProblem {
  private first: CsvProblem | null = null;

  attempt<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof CsvProblem)) throw e;
      if (this.first === null || e.line < this.first.line) this.first = e;
      return undefined;
    }
  }

  report(line: number, message: string): void {
    this.attempt(() => {
      throw new CsvProblem(line, message);
    });
  }

  any(): boolean {
    return this.first !== null;
  }

  throwIfAny(): void {
    if (this.first !== null) throw this.first;
  }
}
