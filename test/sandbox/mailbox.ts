/**
 * The sandbox mailbox: a local SMTP server that accepts any login and any recipient and keeps the
 * last messages in memory, so e-mail steps (Approval Gate's approver links, Send Email nodes) work
 * with no mail account. The record viewer shows them in its Inbox (and as /mail.json).
 *
 * Plain SMTP on 127.0.0.1 (no TLS, STARTTLS not offered); AUTH PLAIN/LOGIN accepted with any
 * user and password, or no AUTH at all.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface MailMessage {
	/** Sequence number, from 1 (stable within one sandbox run). */
	id: number;
	receivedAt: string;
	/** SMTP envelope: who sent it and every recipient (To, Cc and Bcc). */
	envelope: { from: string; to: string[] };
	/** Header values, decoded. */
	from: string;
	to: string;
	subject: string;
	messageId: string;
	/** The text/plain part, or the HTML part turned into text when there is none. */
	text: string;
	/** The text/html part as sent (never served as HTML: the viewer renders `text`). */
	html: string;
	/** Every http(s) URL in the message (text and HTML), in order, without duplicates. */
	links: string[];
	/** Who signed in over SMTP (any login is accepted), empty when nobody did. */
	login: string;
}

export const MAILBOX_LIMIT = 100;
/** Larger messages are refused (552) rather than kept in memory. */
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

export class SandboxMailbox {
	private readonly kept: MailMessage[] = [];
	private next = 1;
	private server?: SMTPServer;
	private listeners = new Set<() => void>();
	port = 0;

	constructor(private readonly limit = MAILBOX_LIMIT) {}

	/** The SMTP server on 127.0.0.1:port (0 = any free port); resolves with `smtp://127.0.0.1:<port>`. */
	async start(port: number): Promise<string> {
		const server = new SMTPServer({
			name: 'mail.sandbox.acme-robotics.example',
			banner: 'Agent Guard sandbox mailbox (messages stay in memory)',
			secure: false,
			disabledCommands: ['STARTTLS'],
			authMethods: ['PLAIN', 'LOGIN'],
			allowInsecureAuth: true,
			authOptional: true,
			size: MAX_MESSAGE_BYTES,
			logger: false,
			// On stop, connected clients get "421" after this long instead of 30 s.
			closeTimeout: 200,
			onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'sandbox' }),
			onData: (stream, session, callback) => {
				const chunks: Buffer[] = [];
				stream.on('data', (chunk: Buffer) => chunks.push(chunk));
				stream.on('end', () => {
					if (stream.sizeExceeded) {
						callback(Object.assign(new Error('Message too big for the sandbox mailbox'), { responseCode: 552 }));
						return;
					}
					try {
						this.add(Buffer.concat(chunks).toString('utf8'), {
							from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
							to: session.envelope.rcptTo.map((r) => r.address),
							login: typeof session.user === 'string' ? session.user : '',
						});
						callback();
					} catch (error) {
						callback(error as Error);
					}
				});
			},
		});
		server.on('error', () => undefined); // a client dropping its connection is not the sandbox's problem
		await new Promise<void>((resolve, reject) => {
			const onError = (error: Error): void => reject(error);
			server.server.once('error', onError);
			server.listen(port, '127.0.0.1', () => {
				server.server.off('error', onError);
				resolve();
			});
		});
		this.server = server;
		this.port = (server.server.address() as AddressInfo).port;
		return `smtp://127.0.0.1:${this.port}`;
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	/** Newest first. */
	messages(): MailMessage[] {
		return [...this.kept].reverse();
	}

	/** Keeps a raw RFC 822 message (also used by tests that do not go through SMTP). */
	add(raw: string, envelope: { from: string; to: string[]; login?: string }): MailMessage {
		const parsed = parseMessage(raw);
		const text = parsed.text || (parsed.html ? htmlToText(parsed.html) : '');
		const message: MailMessage = {
			id: this.next++,
			receivedAt: new Date().toISOString(),
			envelope: { from: envelope.from, to: envelope.to },
			from: parsed.headers.from ?? envelope.from,
			to: parsed.headers.to ?? envelope.to.join(', '),
			subject: parsed.headers.subject ?? '',
			messageId: parsed.headers['message-id'] ?? `<${randomBytes(8).toString('hex')}@sandbox>`,
			text,
			html: parsed.html,
			links: uniqueLinks(`${parsed.text}\n${parsed.html ? hrefs(parsed.html).join('\n') : ''}\n${text}`),
			login: envelope.login ?? '',
		};
		this.kept.push(message);
		if (this.kept.length > this.limit) this.kept.splice(0, this.kept.length - this.limit);
		for (const listener of [...this.listeners]) listener();
		return message;
	}

	clear(): void {
		this.kept.length = 0;
	}

	/** Resolves with the first message (newest first) that `match` accepts, waiting up to `ms`. */
	waitFor(match: (message: MailMessage) => boolean, ms = 30_000): Promise<MailMessage> {
		return new Promise((resolve, reject) => {
			const check = (): boolean => {
				const found = this.messages().find(match);
				if (!found) return false;
				clearTimeout(timer);
				this.listeners.delete(listener);
				resolve(found);
				return true;
			};
			const listener = (): void => void check();
			const timer = setTimeout(() => {
				this.listeners.delete(listener);
				reject(new Error(`no matching e-mail in the sandbox mailbox within ${ms} ms (${this.kept.length} kept)`));
			}, ms);
			this.listeners.add(listener);
			check();
		});
	}
}

// ---------------------------------------------------------------------------------------------
// A small MIME reader: enough for what nodemailer and n8n send (multipart/alternative and mixed,
// quoted-printable, base64, 7/8bit; RFC 2047 encoded words in headers; UTF-8 and Latin-1).

interface Part {
	headers: Record<string, string>;
	body: string;
}

function splitHeaders(raw: string): Part {
	const normalised = raw.replace(/\r\n/g, '\n');
	const end = normalised.indexOf('\n\n');
	const head = end === -1 ? normalised : normalised.slice(0, end);
	const body = end === -1 ? '' : normalised.slice(end + 2);
	const headers: Record<string, string> = {};
	for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		const name = line.slice(0, colon).trim().toLowerCase();
		if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
	}
	return { headers, body };
}

function param(header: string | undefined, name: string): string | undefined {
	if (!header) return undefined;
	const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(header);
	return match ? (match[1] ?? match[2]) : undefined;
}

function decodeBytes(bytes: Buffer, charset = 'utf-8'): string {
	const cs = charset.toLowerCase();
	if (cs === 'iso-8859-1' || cs === 'latin1' || cs === 'us-ascii' || cs === 'ascii') return bytes.toString('latin1');
	try {
		return new TextDecoder(cs).decode(bytes);
	} catch {
		return bytes.toString('utf8');
	}
}

function quotedPrintableBytes(text: string): Buffer {
	const soft = text.replace(/=\r?\n/g, '');
	const bytes: number[] = [];
	for (let i = 0; i < soft.length; i++) {
		const c = soft[i];
		if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
			bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
			i += 2;
		} else {
			bytes.push(...Buffer.from(c, 'utf8'));
		}
	}
	return Buffer.from(bytes);
}

function decodeBody(part: Part): string {
	const encoding = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
	const charset = param(part.headers['content-type'], 'charset') ?? 'utf-8';
	if (encoding === 'base64') return decodeBytes(Buffer.from(part.body.replace(/\s+/g, ''), 'base64'), charset);
	if (encoding === 'quoted-printable') return decodeBytes(quotedPrintableBytes(part.body), charset);
	return decodeBytes(Buffer.from(part.body, 'utf8'), charset);
}

/** RFC 2047 `=?charset?Q|B?…?=` words, as nodemailer writes non-ASCII subjects and names. */
export function decodeHeader(value: string): string {
	return value
		.replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?)/g, '$1')
		.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, charset: string, kind: string, text: string) =>
			kind.toUpperCase() === 'B' ? decodeBytes(Buffer.from(text, 'base64'), charset) : decodeBytes(quotedPrintableBytes(text.replace(/_/g, ' ')), charset),
		);
}

function collectParts(part: Part, out: { text: string[]; html: string[] }, depth = 0): void {
	const type = (part.headers['content-type'] ?? 'text/plain').toLowerCase();
	const boundary = param(part.headers['content-type'], 'boundary');
	if (type.startsWith('multipart/') && boundary && depth < 8) {
		const sections = part.body.split(`--${boundary}`);
		for (const section of sections.slice(1)) {
			if (section.startsWith('--')) break;
			collectParts(splitHeaders(section.replace(/^\n/, '')), out, depth + 1);
		}
		return;
	}
	if (/attachment/i.test(part.headers['content-disposition'] ?? '')) return;
	if (type.startsWith('text/html')) out.html.push(decodeBody(part));
	else if (type.startsWith('text/plain') || !part.headers['content-type']) out.text.push(decodeBody(part));
}

export function parseMessage(raw: string): { headers: Record<string, string>; text: string; html: string } {
	const top = splitHeaders(raw);
	const out = { text: [] as string[], html: [] as string[] };
	collectParts(top, out);
	const headers: Record<string, string> = {};
	for (const [k, v] of Object.entries(top.headers)) headers[k] = decodeHeader(v);
	return { headers, text: out.text.join('\n').replace(/\s+$/, ''), html: out.html.join('\n') };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

function decodeEntities(text: string): string {
	return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, name: string) => {
		if (name[0] === '#') {
			const code = name[1].toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
			return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
		}
		return ENTITIES[name.toLowerCase()] ?? whole;
	});
}

function hrefs(html: string): string[] {
	return [...html.matchAll(/href\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((m) => decodeEntities(m[1] ?? m[2] ?? ''));
}

/** The text a reader would see; a link's address follows its label in brackets. Script and style content is dropped. */
export function htmlToText(html: string): string {
	const text = html
		.replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, '')
		.replace(/<!--[\s\S]*?-->/g, '')
		.replace(/<a\b[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a\s*>/gi, (_, a: string | undefined, b: string | undefined, label: string) => `${label} [${a ?? b ?? ''}]`)
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<\/(p|div|li|tr|h[1-6]|blockquote|table)\s*>/gi, '\n')
		.replace(/<li\b[^>]*>/gi, '- ')
		.replace(/<[^>]*>/g, '');
	return decodeEntities(text)
		.split('\n')
		.map((l) => l.replace(/[ \t]+/g, ' ').trim())
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

/** http(s) URLs in text; trailing punctuation that usually ends a sentence is not part of the link. */
export const LINK_PATTERN = /https?:\/\/[^\s<>"'\]\[]+/g;

export function trimLink(url: string): string {
	return url.replace(/[.,;:!?)]+$/, '');
}

function uniqueLinks(text: string): string[] {
	return [...new Set([...text.matchAll(LINK_PATTERN)].map((m) => trimLink(decodeEntities(m[0]))))];
}
