/** The one source of "now"; tests inject a clock they can move (deadlines, overdue). */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export class ManualClock implements Clock {
  constructor(private t: Date = new Date()) {}
  now(): Date {
    return new Date(this.t);
  }
  set(t: Date): void {
    this.t = new Date(t);
  }
  advance(ms: number): void {
    this.t = new Date(this.t.getTime() + ms);
  }
}

/** The calendar date in China (UTC+8) at an instant, YYYY-MM-DD: "today" for dates people enter. */
export const chinaDate = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
/** An instant in China time to the minute, `YYYY-MM-DD HH:MM`: meeting and session times people read. */
export const chinaMinute = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
