/**
 * `agent-guard reverse` as a user runs it: the built CLI in its own process, an embedded
 * journal folder, and the credentials file `n8n export:credentials --decrypted` prints,
 * pointing at the emulators. Needs `npm run build` first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedStore } from '../../lib/store/embedded';
import { SalesforceAdapter } from '../../lib/saas/salesforce';
import { ZendeskAdapter } from '../../lib/saas/zendesk';
import { SaasAdapter } from '../../lib/saas/types';
import { appliedEntry, parseWriteAction, performWrite, readBefore } from '../../lib/write/guardedWrite';
import { SalesforceEmulator } from '../emulators/salesforce';
import { ZendeskEmulator } from '../emulators/zendesk';
import { runCliProcess } from '../helpers/processes';
import { TEST_SECRET, tempDir } from '../helpers/stores';

jest.setTimeout(60_000);

const sf = new SalesforceEmulator();
const zd = new ZendeskEmulator();
beforeAll(async () => {
	await Promise.all([sf.start(), zd.start()]);
});
afterAll(async () => {
	await Promise.all([sf.stop(), zd.stop()]);
});

test('agent-guard reverse --preview shows the plan and writes nothing; without it the execution is reversed; a conflict exits 1', async () => {
	const dir = tempDir('reverse-cli');
	const [leadId, otherId] = sf.seed({ Lead: [{ LastName: 'Cli', Company: 'Cli Co', Status: 'Open - Not Contacted' }, { LastName: 'Two', Company: 'Two Co', Rating: 'Cold' }] }).Lead;
	const store = await EmbeddedStore.open({ dir, secret: TEST_SECRET });
	const adapters: Record<string, SaasAdapter> = {
		salesforce: new SalesforceAdapter({ baseUrl: sf.baseUrl, accessToken: sf.accessToken }),
		zendesk: new ZendeskAdapter({ baseUrl: zd.baseUrl, accessToken: zd.apiToken, username: zd.email }),
	};
	for (const raw of [
		{ system: 'salesforce', object: 'Lead', operation: 'update', recordId: leadId, fields: { Status: 'Closed - Converted' } },
		{ system: 'zendesk', object: 'ticket', operation: 'update', recordId: '4201', fields: { subject: 'changed by the agent' } },
		{ system: 'salesforce', object: 'Lead', operation: 'update', recordId: otherId, fields: { Rating: 'Hot' } },
	]) {
		const action = parseWriteAction(raw);
		const before = await readBefore(adapters[action.system], action);
		const result = await performWrite(adapters[action.system], action, before);
		await store.append([{ ...appliedEntry(action, before, result, { agentId: 'cli-bot' }), executionId: 'incident-7' }]);
	}
	await store.close();

	const credentialsFile = join(dir, 'credentials.json');
	writeFileSync(
		credentialsFile,
		JSON.stringify([
			{ id: 'a1', name: 'Salesforce prod', type: 'agentGuardSalesforceOAuth2Api', data: { oauthTokenData: { access_token: sf.accessToken, instance_url: sf.baseUrl } } },
			{ id: 'a2', name: 'Zendesk support', type: 'agentGuardZendeskApi', data: { subdomain: '', baseUrlOverride: zd.baseUrl, email: zd.email, apiToken: zd.apiToken } },
			{ id: 'a3', name: 'Unrelated', type: 'httpHeaderAuth', data: { name: 'x', value: 'y' } },
		]),
	);
	const env = { ...process.env, AGENT_GUARD_SECRET: TEST_SECRET };
	const cli = (...args: string[]) => runCliProcess(['reverse', '--execution', 'incident-7', '--credentials', credentialsFile, '--dir', dir, '--by', 'ops@acme.test', ...args], env);

	const writes = () => sf.requests.filter((r) => r.method !== 'GET').length + zd.requests.filter((r) => r.method !== 'GET').length;
	const before = writes();
	const preview = await cli('--preview', '--json');
	expect(preview.stderr).toBe('');
	expect(preview.code).toBe(0);
	const planned = JSON.parse(preview.stdout) as { preview: boolean; outcomes: Array<{ status: string; system: string; changes: unknown[] }> };
	expect(planned.preview).toBe(true);
	expect(planned.outcomes.map((o) => o.status)).toEqual(['previewed', 'previewed', 'previewed']);
	expect(planned.outcomes[2]).toMatchObject({ system: 'salesforce', changes: [{ field: 'Status', from: 'Closed - Converted', to: 'Open - Not Contacted' }] });
	expect(writes()).toBe(before);

	// A person fixes the other lead by hand meanwhile: that one is a conflict, the rest is reversed.
	sf.humanEdit('Lead', otherId, { Rating: 'Warm' });
	const run = await cli();
	expect(run.code).toBe(1);
	expect(run.stdout).toMatch(/entry\s+status\s+kind/);
	expect(run.stdout).toMatch(/conflict\s+nothing_to_do\s+salesforce\/Lead\//);
	expect(run.stdout).toMatch(/2 need attention|1 needs attention/);
	expect(sf.get('Lead', leadId)?.Status).toBe('Open - Not Contacted');
	expect(sf.get('Lead', otherId)?.Rating).toBe('Warm');
	expect(zd.record('ticket', '4201')?.subject).toBe('Invoice INV-20931 charged twice');

	const trail = await runCliProcess(['audit', 'query', '--event', 'write.reversed', '--dir', dir, '--json'], env);
	const reversed = trail.stdout.trim().split('\n').map((l) => JSON.parse(l) as { actor: { type: string; id: string }; details: { reverses: number } });
	expect(reversed).toHaveLength(2);
	expect(reversed[0].actor).toEqual({ type: 'human', id: 'ops@acme.test' });

	const again = await cli('--json');
	expect(JSON.parse(again.stdout).outcomes.map((o: { status: string }) => o.status)).toEqual(['conflict', 'already_reversed', 'already_reversed']);
});

test('agent-guard reverse explains bad input and a missing credential, and says when there is nothing to reverse', async () => {
	const dir = tempDir('reverse-cli-input');
	const credentialsFile = join(dir, 'credentials.json');
	writeFileSync(credentialsFile, '[]');
	const env = { ...process.env, AGENT_GUARD_SECRET: TEST_SECRET };
	const run = (...args: string[]) => runCliProcess(['reverse', '--dir', dir, ...args], env);

	const nothing = await run('--execution', 'never-ran', '--credentials', credentialsFile);
	expect(nothing.code).toBe(0);
	expect(nothing.stdout).toMatch(/nothing to reverse: execution never-ran has no applied writes/);

	const noCreds = await run('--execution', 'x');
	expect(noCreds.code).toBe(2);
	expect(noCreds.stderr).toMatch(/--credentials FILE/);

	const badSeqs = await run('--entries', '3,x', '--credentials', credentialsFile);
	expect(badSeqs.code).toBe(2);
	expect(badSeqs.stderr).toMatch(/--entries.*"x"/);

	const badWindow = await run('--agent', 'bot', '--since', '2026-02-01', '--until', '2026-01-01', '--credentials', credentialsFile);
	expect(badWindow.code).toBe(2);
	expect(badWindow.stderr).toMatch(/--until.*before "--since"/);
});
