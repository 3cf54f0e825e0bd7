/**
 * A read-only page that shows what is in the sandbox right now (leads, tickets, invoices), so a user
 * can watch an agent's approved write land and a Reverse Write undo it, without an API client.
 * `GET /` is HTML (refreshes itself every 5 s), `GET /records.json` the same as JSON.
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
}

export function sandboxTables(e: Emulators): Table[] {
	const ref = (v: unknown): unknown => (v && typeof v === 'object' && 'name' in v ? (v as { name: unknown }).name : v);
	return [
		{ title: 'Salesforce · Leads', columns: ['Id', 'Name', 'Company', 'Status', 'Rating', 'LeadSource', 'LastModifiedDate'], rows: e.salesforce.list('Lead') },
		{ title: 'Salesforce · Opportunities', columns: ['Id', 'Name', 'StageName', 'Amount', 'CloseDate', 'LastModifiedDate'], rows: e.salesforce.list('Opportunity') },
		{ title: 'Zendesk · Tickets', columns: ['id', 'subject', 'status', 'priority', 'type', 'tags', 'updated_at'], rows: e.zendesk.list('ticket') },
		{
			title: 'QuickBooks · Invoices',
			columns: ['Id', 'DocNumber', 'Customer', 'TotalAmt', 'Balance', 'DueDate', 'SyncToken'],
			rows: e.quickbooks.list('Invoice').map((r) => ({ ...r, Customer: ref(r.CustomerRef) })),
		},
		{ title: 'QuickBooks · Bills', columns: ['Id', 'DocNumber', 'Vendor', 'TotalAmt', 'Balance', 'DueDate'], rows: e.quickbooks.list('Bill').map((r) => ({ ...r, Vendor: ref(r.VendorRef) })) },
	];
}

function escapeHtml(value: unknown): string {
	const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value);
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function page(tables: Table[], company: string): string {
	const sections = tables
		.map((t) => {
			const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
			const body = t.rows.map((r) => `<tr>${t.columns.map((c) => `<td>${escapeHtml(r[c])}</td>`).join('')}</tr>`).join('\n');
			return `<h2>${escapeHtml(t.title)} (${t.rows.length})</h2>\n<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
		})
		.join('\n');
	return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Agent Guard sandbox · ${escapeHtml(company)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin-bottom:24px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}h2{font-size:16px;margin:16px 0 8px}</style>
</head><body><h1>Agent Guard sandbox: ${escapeHtml(company)}</h1><p>Local emulators of Salesforce, Zendesk and QuickBooks (in memory: they start fresh every time). This page refreshes every 5 seconds.</p>
${sections}</body></html>`;
}

export async function startViewer(emulators: Emulators, company: string, port: number): Promise<{ url: string; stop(): Promise<void> }> {
	const server: Server = createServer((req, res) => {
		const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
		if (req.method !== 'GET' || (path !== '/' && path !== '/records.json')) {
			res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
			return;
		}
		const tables = sandboxTables(emulators);
		if (path === '/records.json') {
			res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(Object.fromEntries(tables.map((t) => [t.title, t.rows]))));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page(tables, company));
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
