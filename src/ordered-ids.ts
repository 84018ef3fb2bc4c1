import { randomInt } from 'node:crypto';

/** The keys count milliseconds from here (10 hex digits last 34 years, then wrap). */
const EPOCH_MS = Date.UTC(2024, 0, 1);
const TIME_SPAN = 2 ** 40;
const SEQ_SPAN = 2 ** 24;

/**
 * A source of 16 lowercase hex digits that sort in the order it drew them: 10 of milliseconds,
 * then a 6-digit sequence that starts anew at a random point of its lower half each time the
 * milliseconds move forward (so the 8M keys one millisecond could draw never wrap, and two
 * processes rarely draw the same). Every id that must sort by when its row was made (messages,
 * MOs, jobs, handset messages) starts with one. Ordered by time, so the indexes keyed by such ids
 * grow at their right edge (a batch of inserts dirties a few index pages instead of one random
 * page each), and rows of one millisecond read in id order come in the order they were made.
 * A time at or before the last one drawn (taken before an await, or a clock stepped back)
 * continues the sequence rather than restarting it, so it neither repeats a key nor puts itself
 * before keys of its millisecond drawn earlier. Each kind of id has its own source, so one kind's
 * times do not move another's sequence.
 */
export function timeOrderedHexSource(): (now: number) => string {
  let lastMs = Number.NEGATIVE_INFINITY;
  let seq = 0;
  return (now) => {
    if (now > lastMs) {
      lastMs = now;
      seq = randomInt(SEQ_SPAN / 2);
    } else seq += 1;
    const time = (((now - EPOCH_MS) % TIME_SPAN) + TIME_SPAN) % TIME_SPAN;
    return `${time.toString(16).padStart(10, '0')}${(seq % SEQ_SPAN).toString(16).padStart(6, '0')}`;
  };
}
