import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/canonical';
import { ApprovalInputError, isJsonObject } from './errors';
import { approvalCount, approvedBy, decisionOf, type ApprovalItem, type ApprovalRecord } from './record';
import { MAX_TOKEN_LENGTH } from './token';

/**
 * The pages the approval webhook serves. Each is one self-contained document: no script,
 * no external resource, one inline <style> allowed by its hash. Everything taken from the
 * record (the agent's action, names, messages, findings) is untrusted and is escaped
 * before it touches the markup; the only attribute values built from input are the form
 * target and the token, both checked and escaped.
 */

const STYLE = `
:root { color-scheme: light; }
body { margin: 0; background: #f3f4f7; color: #1d2330; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 860px; margin: 0 auto; padding: 32px 20px 56px; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 8px; letter-spacing: -0.01em; }
h2 { font-size: 1.15rem; margin: 0 0 14px; }
h3 { font-size: 1rem; margin: 20px 0 0; }
strong { font-weight: 650; }
.card { background: #fff; border: 1px solid #dde1e8; border-radius: 10px; padding: 18px 22px; margin: 16px 0; box-shadow: 0 1px 2px rgba(20, 28, 45, 0.05); }
.lead { font-size: 1.1rem; margin: 0 0 20px; color: #2b3242; }
.msg, .val, .snippet { white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: isolate; }
.msg { display: block; background: #f6f7f9; border-left: 4px solid #8a94a6; border-radius: 0 6px 6px 0; padding: 8px 12px; margin-top: 6px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 6px 20px; margin: 0; }
dl.meta dt { color: #5a6375; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: separate; border-spacing: 0; width: 100%; margin-top: 16px; table-layout: fixed; border: 1px solid #dde1e8; border-radius: 8px; overflow: hidden; }
th, td { border-top: 1px solid #e6e9ee; padding: 8px 12px; text-align: left; vertical-align: top; }
td + td, th + td, td + th, th + th { border-left: 1px solid #e6e9ee; }
thead th { border-top: 0; background: #f0f2f5; color: #4a5365; font-size: 0.8rem; font-weight: 650; letter-spacing: 0.04em; text-transform: uppercase; }
tbody tr:first-child > * { border-top: 0; }
thead + tbody tr:first-child > * { border-top: 1px solid #e6e9ee; }
thead th:first-child { width: 26%; }
thead th:last-child::before { content: "→ "; color: #1f7a3a; }
tbody th { background: #fafbfc; font-weight: 600; }
td.val, th.val { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9rem; }
thead + tbody td:nth-child(2) { background: #fdf3f2; color: #7a2a24; }
tr.same td, thead + tbody tr.same td:nth-child(2) { background: #fafbfc; color: #6b7385; }
.after { background: #ecf7ef; color: #14532d; font-weight: 600; }
.muted { color: #6b7385; font-style: italic; font-weight: 400; }
.cc { background: #ffe3a3; color: #6b4400; border-radius: 3px; padding: 0 2px; font-style: normal; }
.warn { background: #fff6e5; border: 1px solid #f0c36d; border-radius: 8px; padding: 10px 14px; margin-top: 16px; }
.warn ul { margin: 6px 0 0; padding-left: 20px; }
.tag { display: inline-block; background: #f0c36d; color: #402a00; border-radius: 4px; padding: 0 6px; font-size: 0.85rem; margin-right: 6px; }
.reason { margin: 16px 0 0; }
label { display: block; font-weight: 600; margin-bottom: 6px; }
textarea { display: block; width: 100%; box-sizing: border-box; font: inherit; padding: 10px 12px; border: 1px solid #b9c0cc; border-radius: 8px; resize: vertical; }
textarea:focus { outline: 3px solid #bcd3f5; border-color: #3b6fc4; }
.buttons { display: flex; gap: 12px; margin-top: 18px; flex-wrap: wrap; }
button { font: inherit; font-weight: 650; min-width: 160px; padding: 12px 28px; border-radius: 8px; border: 0; cursor: pointer; color: #fff; }
button:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
button.approve { background: #1f7a3a; }
button.approve:hover { background: #17602d; }
button.reject { background: #b3261e; }
button.reject:hover { background: #921e18; }
.status-approved { color: #1f7a3a; }
.status-rejected, .status-expired { color: #b3261e; }
.small { font-size: 0.85rem; color: #5a6375; }
form .small { margin: 14px 0 0; }
`;

const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64');

/** No scripts at all; the one style block by hash; forms only back to this origin; never framed. */
export const APPROVAL_PAGE_CSP = [
	"default-src 'none'",
	`style-src 'sha256-${STYLE_HASH}'`,
	"form-action 'self'",
	"frame-ancestors 'none'",
	"base-uri 'none'",
].join('; ');

export interface ApprovalPage {
	status: number;
	html: string;
	headers: Record<string, string>;
}

function pageHeaders(): Record<string, string> {
	return {
		'Content-Type': 'text/html; charset=utf-8',
		'Content-Security-Policy': APPROVAL_PAGE_CSP,
		'X-Content-Type-Options': 'nosniff',
		// The link carries the token in its URL: no Referer may take it elsewhere.
		'Referrer-Policy': 'no-referrer',
		'Cache-Control': 'no-store',
		'X-Frame-Options': 'DENY',
	};
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes for both text and quoted attribute values. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"'`]/g, (ch) => HTML_ESCAPES[ch]);
}

/**
 * Characters an approver could not see, or that would reorder what they see: controls,
 * zero-width and bidi formatting characters, Unicode tag characters (used to smuggle
 * hidden ASCII), lone surrogates. Shown as visible [U+XXXX] marks so a value cannot look
 * like something other than what will be written.
 */
const INVISIBLE =
	/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDDEF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function codePointMark(ch: string): string {
	const cp = ch.length === 2 && ch.charCodeAt(0) >= 0xd800 && ch.charCodeAt(0) <= 0xdbff ? ch.codePointAt(0) ?? 0 : ch.charCodeAt(0);
	return `<span class="cc">[U+${cp.toString(16).toUpperCase().padStart(4, '0')}]</span>`;
}

/** Untrusted text to markup: escaped, with invisible characters made visible. */
function text(value: string): string {
	return escapeHtml(value).replace(INVISIBLE, codePointMark);
}

/** A field value as the approver should read it: strings as they are, anything else as JSON. */
function value(v: unknown): string {
	if (v === undefined) return '<span class="muted">—</span>';
	if (v === '') return '<span class="muted">(empty text)</span>';
	if (typeof v === 'string') return text(v);
	const json = JSON.stringify(v, null, 2);
	return json === undefined ? '<span class="muted">—</span>' : text(json);
}

function sameValue(a: unknown, b: unknown): boolean {
	try {
		return canonicalJson(a) === canonicalJson(b);
	} catch {
		return false;
	}
}

function formatTime(ms: number): string {
	if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return 'an unknown time';
	return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function relative(ms: number, now: number): string {
	const minutes = Math.round((ms - now) / 60_000);
	if (minutes <= 0) return 'now';
	if (minutes < 120) return `in ${plural(minutes, 'minute')}`;
	const hours = Math.round(minutes / 60);
	if (hours < 48) return `in ${plural(hours, 'hour')}`;
	return `in ${plural(Math.round(hours / 24), 'day')}`;
}

function plural(n: number, noun: string): string {
	return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function htmlDocument(title: string, body: string): string {
	return (
		'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
		'<meta name="viewport" content="width=device-width, initial-scale=1">' +
		'<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">' +
		`<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
		`<body><main>${body}</main></body></html>\n`
	);
}

function page(status: number, title: string, body: string): ApprovalPage {
	return { status, html: htmlDocument(title, body), headers: pageHeaders() };
}

function checkApprover(record: ApprovalRecord, approver: number): string {
	if (!Number.isInteger(approver) || approver < 0 || approver >= record.approvers.length) {
		throw new ApprovalInputError('approver', `approver ${String(approver)} is not one of this request's approvers`);
	}
	return record.approvers[approver].name;
}

/**
 * The form may post only to this webhook: a site-relative path or an http(s) URL.
 * Anything else (javascript:, data:, protocol-relative //host) is a bug or an attack.
 */
function checkPostUrl(postUrl: unknown): string {
	if (typeof postUrl !== 'string' || postUrl === '' || postUrl.length > 2048 || /[\s\u0000-\u001F\u007F]/.test(postUrl)) {
		throw new ApprovalInputError('postUrl', 'the approval form needs the webhook URL to post to');
	}
	if (postUrl.startsWith('/') && !postUrl.startsWith('//') && !postUrl.startsWith('/\\')) return postUrl;
	let protocol: string;
	try {
		protocol = new URL(postUrl).protocol;
	} catch {
		throw new ApprovalInputError('postUrl', 'the approval form URL is neither a path nor an absolute URL');
	}
	if (protocol !== 'https:' && protocol !== 'http:') throw new ApprovalInputError('postUrl', 'the approval form URL must be http(s) or a path');
	return postUrl;
}

function checkToken(token: unknown): string {
	if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_.-]+$/.test(token)) {
		throw new ApprovalInputError('token', 'the approval form needs the approver link token');
	}
	return token;
}

function progress(record: ApprovalRecord): string {
	return `${approvalCount(record)} of ${plural(record.quorum, 'approval')}`;
}

const DESCRIBED_KEYS = new Set(['system', 'object', 'operation', 'recordId']);

function str(v: unknown): string | undefined {
	return typeof v === 'string' && v !== '' ? v : undefined;
}

/** One finding, whatever node produced it: the known parts in words, anything else as JSON. */
function finding(f: unknown): string {
	if (typeof f === 'string') return `<li>${text(f)}</li>`;
	if (!isJsonObject(f)) return `<li class="val">${value(f)}</li>`;
	const label = str(f.code) ?? str(f.category);
	const parts: string[] = [];
	if (label !== undefined) parts.push(`<span class="tag">${text(label)}</span>`);
	if (str(f.rule) !== undefined && f.rule !== label) parts.push(`<span class="small">rule ${text(String(f.rule))}</span> `);
	if (str(f.message) !== undefined) parts.push(text(String(f.message)));
	if (str(f.snippet) !== undefined) parts.push(`<div class="snippet small">Text found: “${text(String(f.snippet))}”</div>`);
	if (parts.length === 0) return `<li class="val">${value(f)}</li>`;
	return `<li>${parts.join('')}</li>`;
}

function fieldTable(item: ApprovalItem): string {
	const action = item.action;
	const before = item.before ?? {};
	const fields = isJsonObject(action.fields) ? action.fields : undefined;
	let names: string[];
	let afterOf: (name: string) => string;
	if (fields !== undefined && Object.keys(fields).length > 0) {
		names = Object.keys(fields);
		afterOf = (name) => value(fields[name]);
	} else if (action.operation === 'delete' && item.before !== undefined && Object.keys(item.before).length > 0) {
		names = Object.keys(item.before);
		afterOf = () => '<span class="muted">(deleted)</span>';
	} else {
		return `<p class="muted">${action.operation === 'delete' ? 'This deletes the record.' : 'No field values are given in this action.'}</p>`;
	}
	const rows = names.map((name) => {
		const hasBefore = Object.prototype.hasOwnProperty.call(before, name);
		const same = fields !== undefined && hasBefore && sameValue(before[name], fields[name]);
		return (
			`<tr${same ? ' class="same"' : ''}><th scope="row" class="val">${text(name)}</th>` +
			`<td class="val">${hasBefore ? value(before[name]) : '<span class="muted">—</span>'}</td>` +
			`<td class="val after">${afterOf(name)}${same ? ' <span class="muted">(unchanged)</span>' : ''}</td></tr>`
		);
	});
	return `<table><thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function itemSection(item: ApprovalItem, total: number): string {
	const action = item.action;
	const operation = str(action.operation) ?? '(not stated)';
	const described: Array<[string, unknown]> = [
		['System', action.system],
		['Object', action.object],
		['Operation', action.operation],
		['Record ID', action.recordId],
	];
	const meta = described
		.map(([label, v]) => {
			const shown = v === undefined ? `<span class="muted">${label === 'Record ID' && action.operation === 'create' ? '(new record)' : '(not stated)'}</span>` : value(v);
			return `<dt>${label}</dt><dd class="val">${shown}</dd>`;
		})
		.join('');
	const reason = item.reason ?? str(action.reason);
	// Whatever else the action carries is written too, so the approver must see it.
	const shownElsewhere = (key: string): boolean =>
		DESCRIBED_KEYS.has(key) || (key === 'fields' && isJsonObject(action.fields)) || (key === 'reason' && action.reason === reason);
	const otherKeys = Object.keys(action).filter((key) => !shownElsewhere(key));
	const other =
		otherKeys.length === 0
			? ''
			: `<h3>Other parts of this action</h3><table><tbody>${otherKeys
					.map((key) => `<tr><th scope="row" class="val">${text(key)}</th><td class="val">${value(action[key])}</td></tr>`)
					.join('')}</tbody></table>`;
	const findings =
		item.findings !== undefined && item.findings.length > 0
			? `<div class="warn"><strong>Warnings from the guards</strong><ul>${item.findings.map(finding).join('')}</ul></div>`
			: '';
	return (
		`<section class="card"><h2>Change ${item.index + 1} of ${total}: ${text(operation)} ${text(str(action.object) ?? '')}</h2>` +
		`<dl class="meta">${meta}</dl>` +
		(reason !== undefined ? `<p class="reason"><strong>Reason given by the agent:</strong> <span class="msg">${text(reason)}</span></p>` : '') +
		fieldTable(item) +
		other +
		findings +
		`<p class="small">Fingerprint of this change: ${text(item.digest.slice(0, 16))}</p></section>`
	);
}

export interface ApprovalPageInput {
	record: ApprovalRecord;
	/** Index of the approver the link was made for. */
	approver: number;
	/** The approver's link token, posted back with the decision. */
	token: string;
	/** Where the form posts: this webhook (a path, or an http(s) URL on the same origin, as CSP allows only 'self'). */
	postUrl: string;
	/** When given, expiry is shown relative to it, and a due record gets the expired page. */
	now?: number;
}

/** The page an approver sees on opening their link: what the agent wants to write, and the form to decide. */
export function renderApprovalPage(input: ApprovalPageInput): ApprovalPage {
	const { record, approver, now } = input;
	const name = checkApprover(record, approver);
	const postUrl = checkPostUrl(input.postUrl);
	const token = checkToken(input.token);
	// A link opened after the fact shows what happened; it never offers a form that cannot be used.
	if (record.status !== 'pending' || decisionOf(record, approver) !== undefined) return renderDecidedPage(record, approver);
	if (now !== undefined && Number.isFinite(now) && now >= record.expiresAt) {
		return renderRefusalPage('expired', `It expired at ${formatTime(record.expiresAt)}.`);
	}
	const count = record.items.length;
	const approvers = approvedBy(record);
	const body =
		`<h1>Approval needed</h1>` +
		`<p class="lead">The AI agent <strong>${text(record.agentId)}</strong> wants to make ${plural(count, 'change')}. ` +
		`Please check ${count === 1 ? 'it' : 'them'} below, then approve or reject.</p>` +
		(record.message !== undefined && record.message !== '' ? `<div class="card"><strong>Message</strong><div class="msg">${text(record.message)}</div></div>` : '') +
		`<div class="card"><dl class="meta">` +
		`<dt>You are</dt><dd>${text(name)}</dd>` +
		`<dt>Decide by</dt><dd>${formatTime(record.expiresAt)}${now !== undefined && Number.isFinite(now) ? ` (${relative(record.expiresAt, now)})` : ''}</dd>` +
		`<dt>Progress</dt><dd>${progress(record)} so far${approvers.length > 0 ? ` (approved by ${approvers.map(text).join(', ')})` : ''}. One rejection rejects the whole request.</dd>` +
		`<dt>Request</dt><dd class="small">${text(record.id)}</dd>` +
		`</dl></div>` +
		record.items.map((item) => itemSection(item, count)).join('') +
		`<form class="card" method="post" action="${escapeHtml(postUrl)}">` +
		`<input type="hidden" name="t" value="${escapeHtml(token)}">` +
		`<label for="comment">Comment (optional)</label>` +
		`<textarea id="comment" name="comment" maxlength="2000" rows="3"></textarea>` +
		`<div class="buttons"><button type="submit" class="approve" name="decision" value="approve">Approve ${count === 1 ? 'this change' : `all ${count} changes`}</button>` +
		`<button type="submit" class="reject" name="decision" value="reject">Reject</button></div>` +
		`<p class="small">Your decision is final and is recorded with your name${count > 1 ? '; it applies to every change above' : ''}.</p>` +
		`</form>`;
	return page(200, 'Approval needed', body);
}

const STATUS_WORDS: Record<ApprovalRecord['status'], string> = {
	pending: 'is still waiting for other approvers',
	approved: 'is approved: the agent’s changes will go ahead',
	rejected: 'is rejected: the agent’s changes will not be made',
	expired: 'expired before it was decided: the agent’s changes will not be made',
};

/** What was recorded for this approver, and where the request as a whole stands. */
export function renderDecidedPage(record: ApprovalRecord, approver: number): ApprovalPage {
	const name = checkApprover(record, approver);
	const mine = decisionOf(record, approver);
	const status = STATUS_WORDS[record.status] ?? 'is in an unknown state';
	const yours =
		mine === undefined
			? `<p>No decision from you (${text(name)}) is recorded.</p>`
			: `<p>You (${text(name)}) chose to <strong>${mine.decision === 'approve' ? 'approve' : 'reject'}</strong> on ${formatTime(mine.at)}.</p>` +
				(mine.comment !== undefined ? `<p>Your comment:</p><div class="msg">${text(mine.comment)}</div>` : '');
	const body =
		`<h1>${mine === undefined ? 'This request is closed' : 'Your decision is recorded'}</h1>` +
		`<div class="card">${yours}` +
		`<p class="status-${record.status}">The request from the AI agent <strong>${text(record.agentId)}</strong> ` +
		`(${plural(record.items.length, 'change')}) ${status}.</p>` +
		`<p class="small">${progress(record)}${record.decidedAt !== undefined ? `; closed ${formatTime(record.decidedAt)}` : ''}. Request ${text(record.id)}</p>` +
		`</div><p>You can close this page.</p>`;
	return page(200, mine === undefined ? 'Request closed' : 'Decision recorded', body);
}

export type RefusalCode =
	| 'malformed'
	| 'forged'
	| 'tampered'
	| 'expired'
	| 'reused'
	| 'already_decided'
	| 'closed'
	| 'unknown'
	| 'unknown_approver';

const REFUSALS: Record<RefusalCode, { status: number; title: string; words: string }> = {
	malformed: {
		status: 403,
		title: 'This link is not complete',
		words: 'The link seems cut off or damaged. Open it again from the original message, or copy the whole address into your browser.',
	},
	forged: {
		status: 403,
		title: 'This link is not valid',
		words: 'This link was not issued by this workflow, or it was changed after it was sent. Do not use it; ask the workflow owner for a new one.',
	},
	tampered: {
		status: 403,
		title: 'This request has changed',
		words: 'What is waiting for approval no longer matches what this link was sent for. Do not approve it; ask the workflow owner.',
	},
	expired: { status: 410, title: 'This request has expired', words: 'The time to decide has passed. The agent’s changes will not be made.' },
	reused: { status: 409, title: 'This link was already used', words: 'A decision was already made with this link. Each link can be used once.' },
	already_decided: { status: 409, title: 'You have already decided', words: 'Your decision on this request was recorded earlier; it cannot be changed.' },
	closed: { status: 409, title: 'This request is already closed', words: 'Enough people have already decided this request, so no further decision is needed.' },
	unknown: { status: 403, title: 'Request not found', words: 'There is no approval request for this link. It may have been removed, or the link is wrong.' },
	unknown_approver: { status: 403, title: 'This link is not valid', words: 'This link does not belong to any approver of this request.' },
};

/** A link that cannot be used: plain words for the approver, the right status, and nothing changed. */
export function renderRefusalPage(code: RefusalCode, message?: string): ApprovalPage {
	const refusal = REFUSALS[code] ?? { status: 403, title: 'This link cannot be used', words: 'This approval link cannot be used.' };
	const detail = typeof message === 'string' && message !== '' ? `<p class="small">Details: ${text(message.slice(0, 500))}</p>` : '';
	const body = `<h1>${escapeHtml(refusal.title)}</h1><div class="card"><p>${escapeHtml(refusal.words)}</p><p><strong>Nothing was changed.</strong></p>${detail}</div>`;
	return page(refusal.status, refusal.title, body);
}
