/**
 * A read-only page that shows what is in the sandbox right now (leads, tickets, invoices), so a user
 * can watch an agent's approved write land and a Reverse Write undo it, without an API client; and
 * the sandbox mailbox's Inbox (Approval Gate's e-mails with their approval links).
 * `GET /` is HTML (refreshes itself every 5 s), `GET /records.json` the records as JSON,
 * `GET /mail.json` the messages (newest first), `GET /mail/<id>` one message (no refresh).
 *
 * Everything shown is escaped; the only markup made from a message is an anchor for each http(s)
 * link in its text. No scripts: the pages are served with a Content-Security-Policy that forbids them.
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LINK_PATTERN, trimLink, type MailMessage, type SandboxMailbox } from './mailbox';
import type { QuickBooksEmulator } from '../emulators/quickbooks';
import type { SalesforceEmulator } from '../emulators/salesforce';
import type { ZendeskEmulator } from '../emulators/zendesk';

interface Table {
	title: string;
	columns: string[];
	rows: Array<Record<string, unknown>>;
}

export interface Emulators {
	salesforce: SalesforceEmulator;
	zendesk: ZendeskEmulator;
	quickbooks: QuickBooksEmulator;
	/** The sandbox mailbox; without it the page has no Inbox. */
	mail?: SandboxMailbox;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
const STYLE =
	'body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin-bottom:24px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}h2{font-size:16px;margin:16px 0 8px}' +
	'.mail{border:1px solid #ddd;border-radius:4px;margin:0 0 12px;max-width:960px}.mail header{background:#f4f4f4;padding:6px 10px}.mail .body{white-space:pre-wrap;padding:8px 10px;margin:0;font:13px ui-monospace,monospace;overflow-wrap:anywhere}.muted{color:#666}'

export function sandboxTables(e: Emulators): Table[] {
	const ref = (v: unknown): unknown => (v && typeof v === 'object' && 'name' in v ? (v as { name: unknown }).name : v);
	return [
		{ title: 'Salesforce · Leads', columns: ['Id', 'Name', 'Company', 'Status', 'Rating', 'LeadSource', 'LastModifiedDate'], rows: e.salesforce.list('Lead') },
		{ title: 'Salesforce · Opportunities', columns: ['Id', 'Name', 'StageName', 'Amount', 'CloseDate', 'LastModifiedDate'], rows: e.salesforce.list('Opportunity') },
		{
			title: 'Zendesk · Tickets',
			columns: ['id', 'subject', 'status', 'priority', 'type', 'tags', 'latest reply', 'updated_at'],
			// The newest comment after the description: where a reply the agent posted shows up.
			rows: e.zendesk.list('ticket').map((t) => ({ ...t, 'latest reply': e.zendesk.commentsOf(t.id as number).slice(1).at(-1)?.body ?? '' })),
		},
		{
			title: 'QuickBooks · Invoices',
			columns: ['Id', 'DocNumber', 'Customer', 'TotalAmt', 'Balance', 'DueDate', 'PrivateNote', 'SyncToken'],
			rows: e.quickbooks.list('Invoice').map((r) => ({ ...r, Customer: ref(r.CustomerRef) })),
		},
		{ title: 'QuickBooks · Bills', columns: ['Id', 'DocNumber', 'Vendor', 'TotalAmt', 'Balance', 'DueDate'], rows: e.quickbooks.list('Bill').map((r) => ({ ...r, Vendor: ref(r.VendorRef) })) },
	];
}

function escapeHtml(value: unknown): string {
	const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value);
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Text made safe for HTML, with every http(s) URL in it an anchor (opens in a new tab, no referrer). */
export function linkify(text: string): string {
	let out = '';
	let last = 0;
	for (const match of text.matchAll(LINK_PATTERN)) {
		const url = trimLink(match[0]);
		const at = match.index ?? 0;
		out += escapeHtml(text.slice(last, at));
		out += `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(url)}</a>`;
		last = at + url.length;
	}
	return out + escapeHtml(text.slice(last));
}

function mailBlock(m: MailMessage): string {
	return `<article class="mail" id="mail-${m.id}"><header><strong>${escapeHtml(m.subject || '(no subject)')}</strong><br>
<span class="muted">To</span> ${escapeHtml(m.to)} · <span class="muted">From</span> ${escapeHtml(m.from)} · <span class="muted">${escapeHtml(m.receivedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</span> · <a href="/mail/${m.id}">open</a></header>
<div class="body">${linkify(m.text)}</div></article>`;
}

function inboxSection(messages: MailMessage[], mail: SandboxMailbox): string {
	const intro = `<p class="muted">E-mails sent to the sandbox mailbox (SMTP 127.0.0.1:${mail.port}, credential "Sandbox Mail"), newest first; the last 100 are kept. Approval Gate's e-mails carry the approval link: open it to approve or reject.</p>`;
	const list = messages.length === 0 ? '<p>No e-mail yet.</p>' : messages.map(mailBlock).join('\n');
	return `<h2 id="inbox">Inbox (${messages.length})</h2>\n${intro}\n${list}`;
}

function mailPage(m: MailMessage, company: string): string {
	return `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>${escapeHtml(m.subject)} · Agent Guard sandbox · ${escapeHtml(company)}</title><style>${STYLE}</style></head><body>
<p><a href="/#inbox">← Inbox</a></p>${mailBlock(m)}</body></html>`;
}

function page(tables: Table[], company: string, inbox = ''): string {
	const sections = tables
		.map((t) => {
			const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
			const body = t.rows.map((r) => `<tr>${t.columns.map((c) => `<td>${escapeHtml(r[c])}</td>`).join('')}</tr>`).join('\n');
			return `<h2>${escapeHtml(t.title)} (${t.rows.length})</h2>\n<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
		})
		.join('\n');
	return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><meta name="referrer" content="no-referrer">
<title>Agent Guard sandbox · ${escapeHtml(company)}</title>
<style>${STYLE}</style>
</head><body><h1>Agent Guard sandbox: ${escapeHtml(company)}</h1><p>Local emulators of Salesforce, Zendesk and QuickBooks (in memory: they start fresh every time). This page refreshes every 5 seconds.${inbox ? ' <a href="#inbox">Inbox</a>' : ''}</p>
${inbox}
${sections}</body></html>`;
}

export async function startViewer(emulators: Emulators, company: string, port: number): Promise<{ url: string; stop(): Promise<void> }> {
	const server: Server = createServer((req, res) => {
		const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
		const html = { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
		const json = { 'Content-Type': 'application/json; charset=utf-8', 'X-Content-Type-Options': 'nosniff' };
		const mail = emulators.mail;
		const mailId = /^\/mail\/(\d+)$/.exec(path)?.[1];
		if (req.method === 'GET' && mail && path === '/mail.json') {
			res.writeHead(200, json).end(JSON.stringify(mail.messages()));
			return;
		}
		if (req.method === 'GET' && mail && mailId) {
			const message = mail.messages().find((m) => m.id === Number(mailId));
			if (message) res.writeHead(200, html).end(mailPage(message, company));
			else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('No such message (the mailbox keeps the last 100, in memory)');
			return;
		}
		if (req.method !== 'GET' || (path !== '/' && path !== '/records.json')) {
			res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
			return;
		}
		const tables = sandboxTables(emulators);
		if (path === '/records.json') {
			res.writeHead(200, json).end(JSON.stringify(Object.fromEntries(tables.map((t) => [t.title, t.rows]))));
			return;
		}
		res.writeHead(200, html).end(page(tables, company, mail ? inboxSection(mail.messages(), mail) : ''));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
		stop: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
