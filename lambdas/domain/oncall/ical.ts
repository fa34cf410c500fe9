import type { OnCallShift } from './schedule';

/** A shift as a calendar shows it: whose, of which schedule, and the words on it. */
export interface CalendarShift extends OnCallShift {
  readonly team: string;
  readonly schedule: string;
  readonly personName?: string;
}

/** RFC 5545 text escaping: backslash, semicolon, comma and newlines. */
const escapeText = (text: string) => text.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');

/** A UTC date-time in iCalendar's basic form: 20261124T100000Z. */
const icalTime = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** Folds a content line at 75 octets, as RFC 5545 asks, never inside a UTF-8 sequence. */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    if (octets + size > (parts.length ? 74 : 75)) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/**
 * An iCalendar feed of on-call shifts. Each event's UID is stable across fetches (team, schedule, person,
 * layer and start), so a calendar app updates a shift in place rather than adding it again; times are UTC,
 * which every app shows in its own zone.
 */
export function icalFeed(name: string, shifts: readonly CalendarShift[], now: Date): string {
  const stamp = icalTime(now.getTime());
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//InResponse//On-call schedules//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(name)}`,
    ...shifts.flatMap((s) => [
      'BEGIN:VEVENT',
      `UID:${encodeURIComponent(`${s.team}/${s.schedule}/${s.person}/${s.overrideId ?? s.layer}/${s.shiftStart}`)}@inresponse`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${icalTime(s.shiftStart)}`,
      `DTEND:${icalTime(s.shiftEnd)}`,
      `SUMMARY:${escapeText(`On call: ${s.personName ?? s.person} (${s.team}/${s.schedule})`)}`,
      `DESCRIPTION:${escapeText(s.overrideId ? `Override ${s.overrideId}` : `Layer ${s.layer}`)}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    ]),
    'END:VCALENDAR',
  ];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
