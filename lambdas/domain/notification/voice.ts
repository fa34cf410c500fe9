import type { Incident } from '../incident/incident';
import { toGsm7 } from './sms';

const SEVERITY_WORDS: Readonly<Record<Incident['severity'], string>> = { CRIT: 'critical', ERR: 'error', WARN: 'warning' };

/** Text made safe inside SSML: the five XML characters escaped. */
const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** The most characters of a title said aloud: a call should name the problem, not read a log line. */
const SPOKEN_TITLE_CHARACTERS = 150;

/**
 * A page as a voice call, in SSML for Amazon Polly: the incident said twice, with a pause between, then how
 * to acknowledge. The call is one-way (the API takes no keypad input), so it sends the person to the link in
 * their SMS or email.
 */
export function renderVoiceSsml(incident: Incident): string {
  const title = [...toGsm7(incident.title.replace(/\s+/g, ' ').trim())].slice(0, SPOKEN_TITLE_CHARACTERS).join('');
  const digits = String(incident.number).split('').join(' ');
  const said = escapeXml(`InResponse page. ${SEVERITY_WORDS[incident.severity]} incident ${digits}, service ${incident.service}: ${title}.`);
  return `<speak>${said}<break time="1s"/>${said}<break time="1s"/>Open the link in your SMS or email to acknowledge.</speak>`;
}
