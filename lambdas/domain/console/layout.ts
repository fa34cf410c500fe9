import { createHash } from 'node:crypto';
import { escapeHtml } from '../notification/notification';

/**
 * The console's pages: plain HTML5 with one small stylesheet, readable on a phone and without JavaScript.
 * Accessibility: `lang`, landmarks (header with nav, main), one h1 then h2s, every field labelled, tables with
 * captions and header cells, statuses said in words, colours of at least 4.5:1 on white. Everything shown is
 * escaped with {@link escapeHtml}.
 */
export const esc = escapeHtml;

const CSS = [
  'body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff}',
  'header,main{max-width:72rem;margin:0 auto;padding:0 1rem}header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;border-bottom:1px solid #d0d7de;padding-bottom:.5rem}',
  'nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}a{color:#0969da}a[aria-current]{font-weight:700;color:#1f2328}',
  'h1{font-size:1.6rem;margin:1.25rem 0 .75rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}',
  '.wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:.5rem 0}caption{text-align:left;font-weight:600;padding:.25rem 0}',
  'th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}',
  'form.inline{display:inline}form.fields{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:.5rem 0}form.fields label{display:flex;flex-direction:column;font-size:.9rem}',
  'input,select,textarea,button{font:inherit;padding:.3rem .5rem;border:1px solid #59636e;border-radius:4px;box-sizing:border-box}input,select,button{height:2.3rem}button{background:#0969da;color:#fff;border-color:#0969da;cursor:pointer}',
  'button.quiet{background:#fff;color:#0969da}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}',
  '.OPEN{color:#cf222e;font-weight:600}.CLAIMED{color:#9a6700;font-weight:600}.RESOLVED{color:#1a7f37}.override{font-weight:600;color:#8250df}',
  '.error{border-left:4px solid #cf222e;padding:.25rem .75rem}.msg{white-space:pre-wrap;overflow-wrap:anywhere}.user{margin-left:auto}',
].join('');

/** Refreshes the incident table every 5 s from its fragment; stops once the session is gone (redirected to sign-in). */
const REFRESH_SCRIPT =
  "setInterval(async()=>{const t=document.getElementById('incidents');if(!t)return;const u=new URL(location.href);u.searchParams.set('fragment','1');" +
  "try{const r=await fetch(u,{credentials:'same-origin'});if(r.ok&&!r.redirected)t.outerHTML=await r.text()}catch{}},5000);";

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Nothing but this stylesheet and script may run; no framing, forms post to the console only. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${hashOf(CSS)}`,
  `script-src ${hashOf(REFRESH_SCRIPT)}`,
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // Not `no-referrer`: under it a browser sends `Origin: null` with the console's own forms, which the CSRF check
  // must refuse. `same-origin` still tells no other site where a link was followed from.
  'referrer-policy': 'same-origin',
};

/** The console's sections, in the navigation's order. */
export const SECTIONS = [
  ['incidents', 'Incidents'],
  ['oncall', 'On call'],
  ['maintenance', 'Maintenance'],
  ['heartbeats', 'Heartbeats'],
  ['events', 'Events'],
  ['reports', 'Reports'],
  ['status', 'Status pages'],
] as const;
export type Section = (typeof SECTIONS)[number][0];

/** Who is signed in, and the token their forms carry. */
export interface Viewer {
  readonly name: string;
  readonly email: string;
  readonly csrf: string;
}

export interface Frame {
  readonly title: string;
  readonly viewer?: Viewer;
  readonly section?: Section;
  /** Whether the page refreshes its incident table. */
  readonly refresh?: boolean;
}

/** The name of the hidden field that proves a POST comes from a console page of the session. */
export const CSRF_FIELD = 'csrf';
export const csrfField = (viewer: Viewer) => `<input type="hidden" name="${CSRF_FIELD}" value="${esc(viewer.csrf)}">`;

function header(frame: Frame): string {
  if (!frame.viewer) return '<header><p><strong>InResponse console</strong></p></header>';
  const links = SECTIONS.map(
    ([id, label]) => `<li><a href="/console/${id}"${frame.section === id ? ' aria-current="page"' : ''}>${label}</a></li>`,
  ).join('');
  return (
    `<header><p><strong>InResponse</strong></p><nav aria-label="Console"><ul>${links}</ul></nav>` +
    `<form class="inline user" method="post" action="/console/sign-out">${csrfField(frame.viewer)}` +
    `<span id="signed-in-as">${esc(frame.viewer.name)}</span> <button class="quiet" id="sign-out" type="submit">Sign out</button></form></header>`
  );
}

/** A whole page around the main content, which starts with its own h1. */
export function renderPage(frame: Frame, main: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(frame.title)} · InResponse</title><style>${CSS}</style></head><body>${header(frame)}` +
    `<main id="main">${main}</main>${frame.refresh ? `<script>${REFRESH_SCRIPT}</script>` : ''}</body></html>`
  );
}

/** A page that only says something: a refusal, a confirmation. */
export const messagePage = (title: string, text: string, viewer?: Viewer) =>
  renderPage({ title, ...(viewer ? { viewer } : {}) }, `<h1>${esc(title)}</h1><p id="message" class="msg">${esc(text)}</p>`);

/** A table with a caption and header cells, scrolled sideways on a phone rather than squeezed. */
export function table(id: string, caption: string, headings: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `<p id="${id}">${esc(empty)}</p>`;
  return (
    `<div class="wrap"><table id="${id}"><caption>${esc(caption)}</caption><thead><tr>${headings.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`
  );
}

/** A `<time>` showing an instant in UTC, "2026-11-24 15:04 UTC"; empty for none. */
export const time = (iso: string | undefined) => (iso ? `<time datetime="${esc(iso)}">${esc(iso.slice(0, 16).replace('T', ' '))} UTC</time>` : '');

/** A labelled field of a form. */
export function field(name: string, label: string, input: string): string {
  return `<label for="f-${name}">${esc(label)} ${input}</label>`;
}

export const textInput = (name: string, value = '', attributes = '') => `<input id="f-${name}" name="${name}" value="${esc(value)}"${attributes ? ` ${attributes}` : ''}>`;

export function select(name: string, options: readonly (readonly [string, string])[], selected: string | undefined): string {
  return `<select id="f-${name}" name="${name}">${options.map(([value, label]) => `<option value="${esc(value)}"${value === (selected ?? '') ? ' selected' : ''}>${esc(label)}</option>`).join('')}</select>`;
}
