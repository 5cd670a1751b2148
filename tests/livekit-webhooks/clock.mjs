// LiveKit's Node verifiers (jose underneath) read the wall clock. The fixtures and the tests live at a fixed instant,
// so the clock is pinned to it, as the .NET tests pin theirs with FakeTimeProvider.
const RealDate = Date;

export function pinClock(unixSeconds) {
  const fixed = unixSeconds * 1000;
  globalThis.Date = class PinnedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) {
        super(fixed);
      } else {
        super(...args);
      }
    }

    static now() {
      return fixed;
    }
  };
}
