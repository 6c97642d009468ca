// A strict second opinion on our calendar files: ical.js (Thunderbird's parser, strict
// mode) reads the file from stdin and prints its events as JSON; it throws on bad lines.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

ICAL.design.strict = true;
const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
if (calendar.name !== "vcalendar") throw new Error(`not a calendar: ${calendar.name}`);
for (const required of ["prodid", "version"]) {
  if (!calendar.getFirstPropertyValue(required)) throw new Error(`no ${required}`);
}
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  for (const required of ["uid", "dtstamp", "dtstart"]) {
    if (!component.hasProperty(required)) throw new Error(`event without ${required}`);
  }
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    status: component.getFirstPropertyValue("status"),
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    alarms: component.getAllSubcomponents("valarm").map((alarm) => ({
      action: alarm.getFirstPropertyValue("action"),
      trigger: alarm.getFirstPropertyValue("trigger").toString(),
    })),
  };
});
console.log(JSON.stringify({ name: calendar.getFirstPropertyValue("x-wr-calname"), events }));
