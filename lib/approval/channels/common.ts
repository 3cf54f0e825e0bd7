import { redactText } from '../../redact/redact';

/**
 * What every channel needs from one notice, computed once. Every string here that
 * came from the notice is untrusted (the agent proposed it, a workflow author typed
 * it): it has been cleaned and capped, but each channel still escapes it for its own
 * markup.
 */
export interface NoticeView {
	approvalId: string;
	agentId: string;
	approver: string;
	address?: string;
	/** Validated http(s) URL, normalised by the URL parser. */
	link: string;
	message?: string;
	/** The first MAX_LINES summary lines; `hiddenLines` more were left out. */
	lines: string[];
	hiddenLines: number;
	changeCount: number;
	expiresIso: string;
	quorum: number;
	approverCount: number;
}

/** A delivery to one approver failed; the message is already safe to show (no URL path, no password). */
export class SendFailure extends Error {}

export const MAX_LINES = 25;
const MAX_NAME = 120;
const MAX_LINE = 300;
const MAX_MESSAGE = 1000;

// Controls (except tab and newline), bidi overrides and isolates, zero-width and BOM
// characters: they can hide or visually reorder what the approver reads.
// U+200D (zero-width joiner) is kept: emoji sequences need it.
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** Cuts to `max` UTF-16 units without leaving half a surrogate pair, marking the cut. */
export function truncate(text: string, max: number): string {
	if (text.length <= max) return text;
	let end = max - 1;
	const last = text.charCodeAt(end - 1);
	if (last >= 0xd800 && last <= 0xdbff) end--;
	return `${text.slice(0, end)}…`;
}

export function oneLine(text: string, max = MAX_LINE): string {
	return truncate(text.replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(INVISIBLE, '').replace(/ {2,}/g, ' ').trim(), max);
}

export function multiLine(text: string, max = MAX_MESSAGE): string {
	const normalised = text
		.replace(/\r\n?|[\u2028\u2029]/g, '\n')
		.replace(INVISIBLE, '')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
	return truncate(normalised, max);
}

export function plural(count: number, word: string): string {
	return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "sales-bot wants to make 2 changes": the subject / headline every channel uses. */
export function headline(view: NoticeView): string {
	return `${view.agentId} wants to make ${plural(view.changeCount, 'change')}`;
}

export function quorumLine(view: NoticeView): string {
	return `${view.quorum} of ${plural(view.approverCount, 'approver')} must approve`;
}

export function cleanName(name: string, fallback: string): string {
	return oneLine(name, MAX_NAME) || fallback;
}

/** Where a request went, for messages: the origin only, since webhook paths and queries are the secret. */
export function describeTarget(url: string): string {
	const parsed = new URL(url);
	return parsed.pathname === '/' && parsed.search === '' ? parsed.origin : `${parsed.origin}/…`;
}

/**
 * The strings a message must never contain for this channel: the webhook URL, its
 * path and query and their longer parts (a server may echo any of them), header values
 * (they usually carry a token) and the SMTP password.
 */
export function secretsOf(values: { url?: string; headers?: Record<string, string>; password?: string }): string[] {
	const secrets: string[] = [];
	// Passwords and header values are secret whatever their length; URL parts only from
	// 9 characters on (Slack's team and channel ids), since short ones ("services", "api")
	// are not and replacing them would garble every message.
	const always: string[] = [...Object.values(values.headers ?? {}), values.password ?? ''].filter((s) => s.trim().length >= 3);
	if (values.url) {
		secrets.push(values.url);
		try {
			const parsed = new URL(values.url);
			secrets.push(parsed.href, `${parsed.pathname}${parsed.search}`, parsed.pathname, parsed.search, decodeURIComponent(parsed.pathname));
			for (const part of parsed.pathname.split('/')) secrets.push(part, decodeURIComponent(part));
			for (const [, value] of parsed.searchParams) secrets.push(value);
			if (parsed.password) secrets.push(parsed.password, decodeURIComponent(parsed.password));
		} catch {
			// An unparsable URL is refused before anything is sent; the whole string is still listed.
		}
	}
	// Longest first, so that a path is replaced whole before its segments are looked for.
	return [...new Set([...secrets.filter((s) => s.length >= 9), ...always])].sort((a, b) => b.length - a.length);
}

const ANY_URL = /\bhttps?:\/\/[^\s"'<>`]+/gi;

/**
 * Makes text from a server or a library safe to put in an error: known secrets and the
 * paths of any URLs are removed, tokens are found by the shared secret detectors, markup
 * is dropped and the result is at most `max` characters.
 */
export function redactForMessage(text: string, secrets: string[], max = 200): string {
	let out = text;
	for (const secret of secrets) out = out.split(secret).join('[redacted]');
	out = out.replace(ANY_URL, (url) => {
		try {
			return describeTarget(url);
		} catch {
			return '[url]';
		}
	});
	out = redactText(out, { secrets: true, pii: false }).text;
	out = out
		.replace(/<[^>]{0,200}>/g, ' ')
		.replace(INVISIBLE, '')
		.replace(/\s+/g, ' ')
		.trim();
	return truncate(out, max);
}

export function isHttpUrl(value: string): boolean {
	try {
		const parsed = new URL(value);
		return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== '';
	} catch {
		return false;
	}
}
