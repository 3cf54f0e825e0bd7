/**
 * `npm run sandbox`: the three emulators, seeded with Acme Robotics, the mailbox and the model,
 * on fixed ports in the foreground; Ctrl+C stops them. Compiled to dist/test/sandbox/main.js (start.ts imports
 * `sandboxSummary` from here, which is what puts this file in the build).
 */
import { COMPANY, Sandbox, SANDBOX_CREDENTIALS, sandboxPortsFromEnv, startSandbox } from './sandbox';

/** What to tell a person about a running sandbox: where it is and the records worth trying. */
export function sandboxSummary(sandbox: Sandbox): string[] {
	const { ids, urls } = sandbox;
	const ticket = sandbox.zendesk.record('ticket', ids.zendesk.injectionTicket);
	const lead = sandbox.salesforce.get('Lead', ids.salesforce.newLeads[0]);
	const overdue = ids.quickbooks.overdueInvoices.map((id) => sandbox.quickbooks.get('Invoice', id));
	const invoiceLabel = (inv: Record<string, unknown> | undefined): string =>
		inv ? `#${String(inv.DocNumber)} (Id ${String(inv.Id)}, ${String((inv.CustomerRef as { name?: string } | undefined)?.name ?? '')}, balance $${String(inv.Balance)}, due ${String(inv.DueDate)})` : '?';
	return [
		`Sandbox for ${COMPANY} (in memory: fresh data every start)`,
		`  Records viewer  ${urls.viewer || '(off)'}`,
		`  Salesforce      ${urls.salesforce}   credential "${SANDBOX_CREDENTIALS.salesforce.name}"`,
		`  Zendesk         ${urls.zendesk}   credentials "${SANDBOX_CREDENTIALS.zendesk.name}", "${SANDBOX_CREDENTIALS.zendeskOAuth2.name}"`,
		`  QuickBooks      ${urls.quickbooks}   credential "${SANDBOX_CREDENTIALS.quickbooks.name}" (realm ${sandbox.quickbooks.realmId})`,
		`  Mailbox (SMTP)  ${urls.mail}   credential "${SANDBOX_CREDENTIALS.mail.name}" (any login; messages in the viewer's Inbox${urls.viewer ? `, ${urls.viewer}#inbox` : ''})`,
		`  Model (OpenAI)  ${urls.model}   credential "${SANDBOX_CREDENTIALS.model.name}" (OpenAI-compatible, answers deterministically; any model name)`,
		'  Seeded:',
		`    Salesforce: ${ids.salesforce.leads.length} leads (${ids.salesforce.newLeads.length} "Open - Not Contacted", e.g. ${String(lead?.Name)} of ${String(lead?.Company)}, Id ${ids.salesforce.newLeads[0]}), ${ids.salesforce.accounts.length} accounts, ${ids.salesforce.contacts.length} contacts, ${ids.salesforce.opportunities.length} opportunities`,
		`    Zendesk: ${ids.zendesk.tickets.length} tickets (${ids.zendesk.openTickets.length} new or open); ticket ${ids.zendesk.injectionTicket} "${String(ticket?.subject)}" carries a prompt-injection attempt`,
		`    QuickBooks: ${ids.quickbooks.customers.length} customers, ${ids.quickbooks.invoices.length} invoices (overdue: ${overdue.map(invoiceLabel).join(', ')}; paid: Id ${ids.quickbooks.paidInvoice}; open: Id ${ids.quickbooks.openInvoice}), ${ids.quickbooks.bills.length} bill`,
	];
}

/** Starts the sandbox and keeps it running until SIGINT / SIGTERM. */
export async function runSandbox(): Promise<void> {
	const sandbox = await startSandbox({ ports: sandboxPortsFromEnv() });
	for (const line of sandboxSummary(sandbox)) console.log(line);
	console.log('Stop with Ctrl+C. `npm start` runs n8n with this sandbox and its credentials already set up.');
	let stopping = false;
	const stop = (): void => {
		if (stopping) return;
		stopping = true;
		console.log('\nSandbox: stopping');
		sandbox.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (require.main === module) {
	runSandbox().catch((error: unknown) => {
		console.error(`Sandbox: ${error instanceof Error ? error.message : String(error)}`);
		process.exit(1);
	});
}
