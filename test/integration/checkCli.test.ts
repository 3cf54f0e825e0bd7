/**
 * `agent-guard check` as a user runs it: the built CLI in its own process over the checklist
 * fixtures, an embedded journal for the sandbox-run rule, and a credentials file as
 * `n8n export:credentials --decrypted` prints it. Needs `npm run build` first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedStore } from '../../lib/store/embedded';
import { runCliProcess } from '../helpers/processes';
import { TEST_SECRET, tempDir } from '../helpers/stores';

jest.setTimeout(60_000);

const FIXTURES = join(__dirname, '..', 'fixtures', 'checklist');
const fixture = (name: string) => join(FIXTURES, name);
const env = { ...process.env, AGENT_GUARD_SECRET: TEST_SECRET, N8N_USER_FOLDER: tempDir('check-cli-home') };

test('a guarded workflow checked with its incident-response workflow passes: exit 0, a ✔ table', async () => {
	const run = await runCliProcess(['check', fixture('guarded-agent.json'), fixture('incident-response.json')], env);
	expect(run.code).toBe(0);
	expect(run.stdout).toContain('✔ PASS  Guarded sales agent');
	expect(run.stdout).toMatch(/✔ write_needs_approval/);
	expect(run.stdout).toMatch(/– credential_rotation/);
	expect(run.stdout).toContain('2 of 2 workflow(s) pass the checklist');
});

test('the fixtures folder has failures: exit 1, each with ✘ and a fix; --json gives every result', async () => {
	const human = await runCliProcess(['check', FIXTURES], env);
	expect(human.code).toBe(1);
	expect(human.stdout).toContain('✘ FAIL  Salesforce write without approval');
	expect(human.stdout).toMatch(/✘ write_needs_approval +Write\(s\) reachable from an AI Agent without an approval: "Salesforce" \(lead create\)/);
	expect(human.stdout).toContain('fix: Put Approval Gate');

	const json = await runCliProcess(['check', FIXTURES, '--json'], env);
	expect(json.code).toBe(1);
	const parsed = JSON.parse(json.stdout) as { passed: boolean; workflows: Array<{ workflowId: string; passed: boolean; results: Array<{ rule: string; status: string; nodes: string[]; fix: string }> }> };
	expect(parsed.passed).toBe(false);
	const noScope = parsed.workflows.find((w) => w.workflowId === 'wf-no-scope');
	expect(noScope?.results.find((r) => r.rule === 'write_needs_scope_guard')).toMatchObject({ status: 'fail', nodes: ['HTTP Request'] });
	expect(parsed.workflows.find((w) => w.workflowId === 'wf-guarded')?.passed).toBe(true);
});

test('--credentials and --dir feed the credential and sandbox-run rules', async () => {
	const dir = tempDir('check-cli-trail');
	const credentialsFile = join(dir, 'credentials.json');
	writeFileSync(credentialsFile, JSON.stringify([
		{ id: '11', name: 'Salesforce prod', type: 'agentGuardSalesforceOAuth2Api', data: { ownerEmail: 'ops@acme.test', rotationIntervalDays: 60, lastRotated: new Date().toISOString(), scope: 'api refresh_token' } },
	]));
	const store = await EmbeddedStore.open({ dir, secret: TEST_SECRET });
	await store.append([{ actor: { type: 'system', id: 'sandbox' }, event: 'audit.note', workflowId: 'wf-creds', details: {} }]);
	await store.close();
	const files = [fixture('with-credentials.json'), fixture('incident-response.json')];

	const noRun = await runCliProcess(['check', ...files, '--credentials', credentialsFile, '--dir', dir, '--json'], env);
	const results = (JSON.parse(noRun.stdout) as { workflows: Array<{ results: Array<{ rule: string; status: string; message: string }> }> }).workflows[0].results;
	const status = (rule: string) => results.find((r) => r.rule === rule)?.status;
	expect([status('credential_rotation'), status('credential_owner'), status('credential_scopes')]).toEqual(['pass', 'pass', 'pass']);
	expect(status('sandbox_run')).toBe('fail');
	expect(noRun.code).toBe(1);

	const again = await EmbeddedStore.open({ dir, secret: TEST_SECRET });
	await again.append([{ actor: { type: 'system', id: 'sandbox' }, event: 'sandbox.run', workflowId: 'wf-creds', details: { sandbox: true } }]);
	await again.close();
	const ran = await runCliProcess(['check', ...files, '--credentials', credentialsFile, '--dir', dir], env);
	expect(ran.stdout).toMatch(/✔ sandbox_run +Sandbox run of workflow wf-creds recorded/);
	expect(ran.code).toBe(0);
});

test('usage errors exit 2: no files, a missing file, a file that is not a workflow', async () => {
	expect((await runCliProcess(['check'], env)).code).toBe(2);
	expect((await runCliProcess(['check', fixture('nope.json')], env)).code).toBe(2);
	const dir = tempDir('check-cli-bad');
	writeFileSync(join(dir, 'x.json'), '{"hello": 1}');
	const bad = await runCliProcess(['check', join(dir, 'x.json')], env);
	expect(bad.code).toBe(2);
	expect(bad.stderr).toContain('not an n8n workflow');
});
