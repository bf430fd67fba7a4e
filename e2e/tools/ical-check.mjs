// Parses an iCalendar file with ical.js (Mozilla's parser, independent of Python's icalendar) and
// prints how many events it holds; exits 1 when the file does not parse or an event lacks its
// required properties (RFC 5545: UID, DTSTAMP, DTSTART).
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

const text = readFileSync(process.argv[2], 'utf8');
const calendar = new ICAL.Component(ICAL.parse(text));
const events = calendar.getAllSubcomponents('vevent');
for (const e of events) {
  for (const p of ['uid', 'dtstamp', 'dtstart']) {
    if (!e.hasProperty(p)) {
      console.error(`event ${e.getFirstPropertyValue('summary')} has no ${p.toUpperCase()}`);
      process.exit(1);
    }
  }
  new ICAL.Event(e).startDate.toJSDate();
}
console.log(events.length);
