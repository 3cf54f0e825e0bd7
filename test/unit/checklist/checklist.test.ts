import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ChecklistInputs, RuleId, RuleResult, Workflow, parseWorkflow, runChecklist } from '../../../lib/checklist';

const DIR = join(__dirname, '..', '..', 'fixtures', 'checklist');
const load = (file: string): Workflow => ({ ...parseWorkflow(JSON.parse(readFileSync(join(DIR, file), 'utf8')), file), source: file });
const ALL = readdirSync(DIR).filter((f) => f.endsWith('.json')).map(load);
const NOW = Date.parse('2026-11-30T12:00:00Z');

function check(file: string, inputs: ChecklistInputs = {}): Record<RuleId, RuleResult> {
	const report = runChecklist(load(file), { workflows: ALL, now: NOW, ...inputs });
	return Object.fromEntries(report.results.map((r) => [r.rule, r])) as Record<RuleId, RuleResult>;
}

describe('writes in sub-workflows that an agent runs', () => {
	const rule = (wf: Workflow, id: RuleId, workflows: Workflow[] = ALL): RuleResult => runChecklist(wf, { workflows, now: NOW }).results.find((x) => x.rule === id) as RuleResult;
	const withParams = (wf: Workflow, node: string, parameters: Record<string, unknown>): Workflow => ({ ...wf, nodes: wf.nodes.map((n) => (n.name === node ? { ...n, parameters: { ...n.parameters, ...parameters } } : n)) });

	test('a workflow tool whose sub-workflow updates a Zendesk ticket unguarded fails both rules, naming the tool and the write inside', () => {
		const r = check('subworkflow-tool.json');
		for (const id of ['write_needs_approval', 'write_needs_scope_guard'] as RuleId[]) {
			expect(r[id]).toMatchObject({ status: 'fail', nodes: ['Update ticket'] });
			expect(r[id].message).toContain('"Zendesk" (ticket update) in sub-workflow "Sub-workflow that updates tickets", run by "Update ticket", which is a tool of AI Agent "AI Agent"');
		}
		expect(r.write_needs_scope_guard.fix).toContain('inside the tool\'s workflow');
	});

	test('Approval Gate and Scope Guard before an Execute Workflow node guard the writes of the sub-workflow it runs; without them both rules fail', () => {
		const wf = load('subworkflow-call-guarded.json');
		expect(rule(wf, 'write_needs_approval').status).toBe('pass');
		expect(rule(wf, 'write_needs_scope_guard').status).toBe('pass');
		expect(rule(wf, 'write_needs_approval').nodes).toEqual(['Zendesk (sub-workflow Sub-workflow that updates tickets)']);
		const direct: Workflow = { ...wf, connections: [...wf.connections.filter((c) => c.from !== 'AI Agent'), { from: 'AI Agent', output: 0, to: 'Execute Workflow', kind: 'main' }] };
		const approval = rule(direct, 'write_needs_approval');
		expect(approval).toMatchObject({ status: 'fail', nodes: ['Execute Workflow'] });
		expect(approval.message).toContain('"Zendesk" (ticket update) in sub-workflow "Sub-workflow that updates tickets", run by "Execute Workflow": AI Agent → Execute Workflow');
		expect(rule(direct, 'write_needs_scope_guard').status).toBe('fail');
	});

	test('guards inside the sub-workflow, between its trigger and the write, count too', () => {
		const sub = load('subworkflow-writes.json');
		const guardedSub: Workflow = {
			...sub,
			nodes: [...sub.nodes, { name: 'Guarded Write', type: 'n8n-nodes-agent-guard.guardedWrite', typeVersion: 1, parameters: { agentId: 'support-bot', policySource: 'support' }, credentials: [], disabled: false }].filter((n) => n.name !== 'Zendesk'),
			connections: [{ from: 'When called by the agent', output: 0, to: 'Guarded Write', kind: 'main' }],
		};
		const tool = load('subworkflow-tool.json');
		const others = [...ALL.filter((w) => w.id !== sub.id), guardedSub];
		expect(rule(tool, 'write_needs_approval', others).status).toBe('pass');
		expect(rule(tool, 'write_needs_scope_guard', others).status).toBe('pass');
	});

	test('a sub-workflow that runs another one: the write two levels down is found, and a guard in the middle workflow counts', () => {
		const sub = load('subworkflow-writes.json');
		const middle: Workflow = {
			id: 'wf-middle', name: 'Middle', active: false,
			nodes: [
				{ name: 'Start', type: 'n8n-nodes-base.executeWorkflowTrigger', typeVersion: 1.1, parameters: {}, credentials: [], disabled: false },
				{ name: 'Run writes', type: 'n8n-nodes-base.executeWorkflow', typeVersion: 1.2, parameters: { workflowId: { __rl: true, mode: 'id', value: sub.id } }, credentials: [], disabled: false },
			],
			connections: [{ from: 'Start', output: 0, to: 'Run writes', kind: 'main' }],
		};
		const tool = withParams(load('subworkflow-tool.json'), 'Update ticket', { workflowId: { __rl: true, mode: 'list', value: 'wf-middle' } });
		const r = rule(tool, 'write_needs_approval', [...ALL, middle]);
		expect(r.status).toBe('fail');
		expect(r.message).toContain('in sub-workflow "Middle" → "Sub-workflow that updates tickets"');
		const checkedMiddle: Workflow = {
			...middle,
			nodes: [...middle.nodes, { name: 'Check Approval', type: 'n8n-nodes-agent-guard.approvalGate', typeVersion: 1, parameters: { agentId: 'support-bot', operation: 'checkApproval' }, credentials: [], disabled: false }],
			connections: [{ from: 'Start', output: 0, to: 'Check Approval', kind: 'main' }, { from: 'Check Approval', output: 0, to: 'Run writes', kind: 'main' }],
		};
		expect(rule(tool, 'write_needs_approval', [...ALL, checkedMiddle]).status).toBe('pass');
		expect(rule(tool, 'write_needs_scope_guard', [...ALL, checkedMiddle]).status).toBe('fail');
	});

	test('a call the checklist cannot follow may write anything: an unknown id, an expression, a local file fail closed and say how to fix it', () => {
		const tool = load('subworkflow-tool.json');
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ workflowId: { __rl: true, mode: 'id', value: 'wf-not-given' } }, 'it runs workflow wf-not-given, which is not among the workflows checked'],
			[{ workflowId: { __rl: true, mode: 'id', value: '={{ $json.target }}' } }, 'its workflow is an expression ({{ $json.target }})'],
			[{ source: 'localFile', workflowPath: '/data/w.json' }, 'from a local file, which the checklist cannot read'],
			[{ source: 'parameter', workflowJson: '{ not json' }, 'its inline Workflow JSON cannot be read'],
		];
		for (const [params, reason] of cases) {
			const r = rule(withParams(tool, 'Update ticket', params), 'write_needs_approval');
			expect(r).toMatchObject({ status: 'fail', nodes: ['Update ticket'] });
			expect(r.message).toContain(reason);
			expect(r.fix).toContain('For a sub-workflow the checklist could not read, check it together with this workflow');
		}
	});

	test('inline Workflow JSON, the workflow\'s own id and a URL locator are followed; a call back into a workflow being followed ends there', () => {
		const tool = load('subworkflow-tool.json');
		const sub = load('subworkflow-writes.json');
		const inline = rule(withParams(tool, 'Update ticket', { source: 'parameter', workflowJson: JSON.stringify({ nodes: [{ name: 'T', type: 'n8n-nodes-base.executeWorkflowTrigger', parameters: {} }, { name: 'QuickBooks', type: 'n8n-nodes-base.quickbooks', parameters: { resource: 'invoice', operation: 'delete' } }], connections: { T: { main: [[{ node: 'QuickBooks', type: 'main', index: 0 }]] } } }) }), 'write_needs_approval');
		expect(inline.message).toContain('"QuickBooks" (invoice delete)');
		const readOnly = rule(withParams(tool, 'Update ticket', { source: 'parameter', workflowJson: JSON.stringify({ nodes: [{ name: 'T', type: 'n8n-nodes-base.executeWorkflowTrigger', parameters: {} }, { name: 'QuickBooks', type: 'n8n-nodes-base.quickbooks', parameters: { resource: 'invoice', operation: 'get' } }], connections: { T: { main: [[{ node: 'QuickBooks', type: 'main', index: 0 }]] } } }) }), 'write_needs_approval');
		expect(readOnly).toMatchObject({ status: 'not_applicable' });
		expect(readOnly.message).toContain('nor in the sub-workflows it runs');
		const byUrl = rule(withParams(tool, 'Update ticket', { workflowId: { __rl: true, mode: 'url', value: `http://localhost:5678/workflow/${sub.id}` } }), 'write_needs_approval');
		expect(byUrl.message).toContain('"Zendesk" (ticket update)');
		// The tool runs its own workflow, which runs itself again from the trigger: no endless loop, the write is found once.
		const selfCalling: Workflow = {
			...tool,
			nodes: [...tool.nodes, ...sub.nodes, { name: 'Again', type: 'n8n-nodes-base.executeWorkflow', typeVersion: 1.2, parameters: { workflowId: '={{ $workflow.id }}' }, credentials: [], disabled: false }],
			connections: [...tool.connections, ...sub.connections, { from: 'Zendesk', output: 0, to: 'Again', kind: 'main' }],
		};
		const self = rule(withParams(selfCalling, 'Update ticket', { workflowId: { __rl: true, mode: 'id', value: '={{ $workflow.id }}' } }), 'write_needs_approval');
		expect(self.status).toBe('fail');
		expect(self.message.match(/"Zendesk"/g)).toHaveLength(1);
	});

	test('a workflow tool behind Approval Gate\'s Human review whose workflow writes through Guarded Write (template 06) passes both rules', () => {
		const r = check('subworkflow-tool.json');
		expect(r.write_needs_approval.status).toBe('fail');
		const tpl = parseWorkflow(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'workflows', '06-agent-tools-human-review.json'), 'utf8')), '06');
		const report = runChecklist(tpl, { workflows: [tpl], now: NOW });
		for (const id of ['write_needs_approval', 'write_needs_scope_guard']) expect(report.results.find((x) => x.rule === id)).toMatchObject({ status: 'pass', nodes: ['Guarded Write (sub-workflow Agent Guard · Agent tools with human review)'] });
	});
});

describe('writes downstream of an AI Agent', () => {
	test('Salesforce, Zendesk, QuickBooks, HTTP and Guarded Write writes behind Scope Guard → Approval Gate (Check Approval) pass both rules', () => {
		const r = check('guarded-agent.json');
		expect(r.write_needs_approval.status).toBe('pass');
		expect(r.write_needs_scope_guard.status).toBe('pass');
		expect(r.write_needs_approval.nodes.sort()).toEqual(['Guarded Write', 'HTTP Request', 'QuickBooks', 'Salesforce', 'Zendesk']);
	});

	test('a Salesforce node without an operation is n8n\'s default lead create, and without Approval Gate it fails naming the path', () => {
		const r = check('write-without-approval.json');
		expect(r.write_needs_approval).toMatchObject({ status: 'fail', nodes: ['Salesforce'] });
		expect(r.write_needs_approval.message).toContain('lead create');
		expect(r.write_needs_approval.message).toContain('AI Agent → Scope Guard → Salesforce');
		expect(r.write_needs_approval.fix).toMatch(/Check Approval/);
		expect(r.write_needs_scope_guard.status).toBe('pass');
	});

	test('a write on the Rejected output of Check Approval is not approved', () => {
		expect(check('rejected-branch-writes.json').write_needs_approval).toMatchObject({ status: 'fail', nodes: ['Zendesk'] });
	});

	test('Send for Approval and Wait alone does not count, nor a Guarded Write with Require Approval off', () => {
		expect(check('send-and-wait-only.json').write_needs_approval).toMatchObject({ status: 'fail', nodes: ['Guarded Write'] });
	});

	test('an HTTP PUT to *.salesforce.com without Scope Guard fails the scope rule; Guarded Write with Check Policy passes it', () => {
		const r = check('write-without-scope.json');
		expect(r.write_needs_scope_guard).toMatchObject({ status: 'fail', nodes: ['HTTP Request'] });
		expect(r.write_needs_approval.status).toBe('pass');
	});

	test('an HTTP POST to an expression URL may be a SaaS write: it fails closed and says why', () => {
		const r = check('http-expression-host.json');
		expect(r.write_needs_approval.status).toBe('fail');
		expect(r.write_needs_approval.message).toContain('host is an expression');
		expect(r.write_needs_approval.fix).toContain('make the host literal');
	});

	test('a Zendesk write tool given to the agent fails both rules', () => {
		const r = check('write-tool.json');
		expect(r.write_needs_approval).toMatchObject({ status: 'fail', nodes: ['Zendesk Tool'] });
		expect(r.write_needs_scope_guard).toMatchObject({ status: 'fail', nodes: ['Zendesk Tool'] });
	});

	test('reads (QuickBooks default get, HTTP GET to intuit.com) are not writes: not applicable', () => {
		const r = check('read-only-agent.json');
		expect(r.write_needs_approval.status).toBe('not_applicable');
		expect(r.write_needs_scope_guard.status).toBe('not_applicable');
	});

	test('a workflow without an AI Agent has nothing to check for agents', () => {
		const r = check('incident-response.json');
		for (const rule of ['write_needs_approval', 'write_needs_scope_guard', 'policy_object_level', 'spend_cap', 'audit_on', 'incident_response'] as RuleId[]) expect(r[rule].status).toBe('not_applicable');
	});

	test('a disabled write does not write; a guard set to continue on error through its first output does not guard', () => {
		const wf = load('guarded-agent.json');
		const disabledWrites = { ...wf, nodes: wf.nodes.map((n) => (['Salesforce', 'Zendesk', 'QuickBooks', 'HTTP Request', 'Guarded Write'].includes(n.name) ? { ...n, disabled: true } : n)) };
		expect(runChecklist(disabledWrites, { workflows: ALL }).results.find((x) => x.rule === 'write_needs_approval')?.status).toBe('not_applicable');
		const failsOpen = { ...wf, nodes: wf.nodes.map((n) => (n.name === 'Check Approval' ? { ...n, onError: 'continueRegularOutput' } : n)) };
		const r = runChecklist(failsOpen, { workflows: ALL }).results.find((x) => x.rule === 'write_needs_approval');
		expect(r?.status).toBe('fail');
		expect(r?.nodes).not.toContain('Guarded Write');
	});
});

describe('each agent', () => {
	test('a policy with a * object that may be updated fails; presets and JSON naming objects pass', () => {
		expect(check('wildcard-policy.json').policy_object_level).toMatchObject({ status: 'fail', nodes: ['Scope Guard'] });
		expect(check('guarded-agent.json').policy_object_level.status).toBe('pass');
	});

	test('an agent whose guard nodes hold no policy fails', () => {
		const r = check('http-expression-host.json');
		expect(r.policy_object_level.status).toBe('fail');
		expect(r.policy_object_level.message).toContain('agent "sales-bot" has no policy');
	});

	test('an AI Agent reachable from a trigger around its Spend Cap fails, naming the path', () => {
		const r = check('spend-cap-bypass.json');
		expect(r.spend_cap).toMatchObject({ status: 'fail', nodes: ['AI Agent'] });
		expect(r.spend_cap.message).toContain('Webhook → AI Agent');
		expect(check('guarded-agent.json').spend_cap.status).toBe('pass');
	});

	test('audit fails on a disabled guard node and on guard nodes writing to two trails', () => {
		const r = check('audit-gap.json');
		expect(r.audit_on.status).toBe('fail');
		expect(r.audit_on.message).toContain('"Injection Sanitizer"');
		expect(r.audit_on.message).toContain('2 different trails');
		expect(check('guarded-agent.json').audit_on.status).toBe('pass');
	});

	test('an incident-response workflow (suspend by expression + trace + reverse) covers every agent; a status-only one does not', () => {
		expect(check('guarded-agent.json').incident_response.status).toBe('pass');
		const withoutIt = check('guarded-agent.json', { workflows: ALL.filter((w) => w.id !== 'wf-incident') });
		expect(withoutIt.incident_response.status).toBe('fail');
		expect(check('guarded-agent.json', { workflows: undefined }).incident_response.message).toMatch(/^could not check/);
	});
});

describe('credentials and the sandbox run', () => {
	const good = { id: '11', name: 'Salesforce prod', type: 'agentGuardSalesforceOAuth2Api', data: { ownerEmail: 'ops@acme.test', rotationIntervalDays: 90, lastRotated: '2026-11-01', scope: 'api refresh_token' } };

	test('credential data with an owner, 90-day rotation and "api" passes all three credential rules', () => {
		const r = check('with-credentials.json', { credentials: [good] });
		expect([r.credential_rotation.status, r.credential_owner.status, r.credential_scopes.status]).toEqual(['pass', 'pass', 'pass']);
	});

	test('without credential data the credential rules fail with "could not check"', () => {
		const r = check('with-credentials.json', { credentialsHint: 'pass --credentials FILE' });
		expect(r.credential_rotation.status).toBe('fail');
		expect(r.credential_rotation.message).toContain('could not check');
		expect(r.credential_rotation.message).toContain('pass --credentials FILE');
	});

	test('a 180-day rotation, an overdue rotation, a missing owner and a "full" scope each fail', () => {
		expect(check('with-credentials.json', { credentials: [{ ...good, data: { ...good.data, rotationIntervalDays: 180 } }] }).credential_rotation.status).toBe('fail');
		expect(check('with-credentials.json', { credentials: [{ ...good, data: { ...good.data, lastRotated: '2026-01-01' } }] }).credential_rotation.message).toContain('overdue');
		expect(check('with-credentials.json', { credentials: [{ ...good, data: { ...good.data, ownerEmail: '' } }] }).credential_owner.status).toBe('fail');
		const full = check('with-credentials.json', { credentials: [{ ...good, data: { ...good.data, oauthTokenData: { scope: 'full refresh_token' } } }] });
		expect(full.credential_scopes).toMatchObject({ status: 'fail', nodes: ['Guarded Write'] });
	});

	test('n8n\'s own Salesforce credential fails rotation and owner, and its fixed "full" scope fails scopes, without any data', () => {
		const r = check('n8n-salesforce-credential.json');
		expect(r.credential_rotation.message).toContain("n8n's own credential type");
		expect(r.credential_scopes.message).toContain('"full"');
	});

	test('no credentials set yet: credential and sandbox rules are not applicable', () => {
		const r = check('guarded-agent.json');
		expect([r.credential_rotation.status, r.credential_owner.status, r.credential_scopes.status, r.sandbox_run.status]).toEqual(['not_applicable', 'not_applicable', 'not_applicable', 'not_applicable']);
	});

	test('production credentials need a sandbox run of this workflow id in the trail', () => {
		expect(check('with-credentials.json', { credentials: [good] }).sandbox_run.message).toContain('could not check');
		expect(check('with-credentials.json', { credentials: [good], trail: [{ seq: 1, ts: '2026-11-29T10:00:00Z', event: 'write.applied', workflowId: 'wf-creds' }] }).sandbox_run.status).toBe('fail');
		expect(check('with-credentials.json', { credentials: [good], trail: [{ seq: 2, ts: '2026-11-29T10:00:00Z', event: 'sandbox.run', workflowId: 'other' }] }).sandbox_run.status).toBe('fail');
		const ok = check('with-credentials.json', { credentials: [good], trail: [{ seq: 3, ts: '2026-11-29T10:00:00Z', event: 'write.applied', workflowId: 'wf-creds', details: { environment: 'sandbox' } }] });
		expect(ok.sandbox_run.status).toBe('pass');
	});

	test('sandbox credentials only: the sandbox rule is not applicable', () => {
		const sandbox = { ...good, data: { ...good.data, environment: 'sandbox' } };
		expect(check('with-credentials.json', { credentials: [sandbox] }).sandbox_run.status).toBe('not_applicable');
	});
});

test('every rule has a passing and a failing fixture', () => {
	const seen = new Map<RuleId, Set<string>>();
	const good = { id: '11', name: 'Salesforce prod', type: 'agentGuardSalesforceOAuth2Api', data: { ownerEmail: 'ops@acme.test', rotationIntervalDays: 90, lastRotated: '2026-11-01' } };
	for (const wf of ALL) {
		for (const inputs of [{}, { credentials: [good], trail: [{ seq: 1, ts: 'x', event: 'sandbox.run', workflowId: 'wf-creds' }] }]) {
			for (const r of runChecklist(wf, { workflows: ALL, now: NOW, ...inputs }).results) seen.set(r.rule, new Set([...(seen.get(r.rule) ?? []), r.status]));
		}
	}
	for (const [rule, statuses] of seen) expect([rule, statuses.has('pass') && statuses.has('fail')]).toEqual([rule, true]);
});

test('an AI Agent with no Agent Guard node fails every agent rule: nothing names it', () => {
	const r = check('bare-agent.json');
	for (const rule of ['write_needs_approval', 'write_needs_scope_guard', 'policy_object_level', 'spend_cap', 'audit_on', 'incident_response'] as RuleId[]) expect([rule, r[rule].status]).toEqual([rule, 'fail']);
	expect(r.policy_object_level.fix).toContain('Agent ID');
});
