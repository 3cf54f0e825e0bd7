import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { InvalidAgentIdError } from '../../lib/agents/agent';
import { GuardRun } from '../../lib/runtime/guardRun';
import { SaasError, SaasSystem } from '../../lib/saas/types';
import { agentGuardApiTest, failedItem, openGuardRun, toNodeError } from '../shared/runtime';
import { SAAS_SYSTEMS, SYSTEM_NAMES, SaasCredentialError, SaasSession, credentialTypeFor, openSaasSession } from '../shared/saas';
import { credentialDescriptions, properties } from './description';
import { LiveResult, liveFailure, summaryOf, verdictOf } from './verdict';

const OK = 0;
const ATTENTION = 1;

interface Out {
	route: typeof OK | typeof ATTENTION;
	item: INodeExecutionData;
	stamp?: { decision: string; reasons: Array<{ code: string; message: string }>; agentId?: string; entry: number };
}

export class CredentialCheck implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Credential Check',
		name: 'credentialCheck',
		icon: 'file:credentialCheck.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["system"] }}',
		description: 'Checks a Salesforce, Zendesk or QuickBooks credential: days until expiry, rotation due, owner, and whether the system still accepts it',
		defaults: { name: 'Credential Check' },
		inputs: ['main'],
		// Two outputs by design (OK, Attention), like n8n's own If node.
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong
		outputs: ['main', 'main'],
		outputNames: ['OK', 'Attention'],
		credentials: credentialDescriptions,
		properties,
	};

	methods = { credentialTest: { agentGuardApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const system = this.getNodeParameter('system', 0) as SaasSystem;
		if (!SAAS_SYSTEMS.includes(system)) {
			throw new NodeOperationError(this.getNode(), `Unknown system "${String(system)}"`, { description: 'Choose Salesforce, Zendesk or QuickBooks Online under System.' });
		}
		const run = await openGuardRun(this);
		const items = this.getInputData();
		const outs: Out[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				outs.push(await checkItem(this, run, system, i));
			} catch (error) {
				const nodeError = checkError(this, error, system, i);
				if (!this.continueOnFail()) throw nodeError;
				outs.push({ route: ATTENTION, item: failedItem(nodeError, i) });
			}
		}
		try {
			await run.flush();
		} catch (error) {
			throw toNodeError(this, error);
		}
		const routes: INodeExecutionData[][] = [[], []];
		for (const out of outs) {
			if (out.stamp) {
				const { decision, reasons, agentId, entry } = out.stamp;
				out.item.json.guard = run.stamp(decision, reasons, agentId, entry) as unknown as IDataObject;
			}
			routes[out.route].push(out.item);
		}
		return routes;
	}
}

async function checkItem(ctx: IExecuteFunctions, run: GuardRun, system: SaasSystem, i: number): Promise<Out> {
	const rawAgent = String(ctx.getNodeParameter('agentId', i, '') ?? '').trim();
	const agentId = rawAgent ? run.agentId(rawAgent) : undefined;
	const liveCheck = ctx.getNodeParameter('liveCheck', i, true) as boolean;
	const now = Date.now();
	// Opened per item: a refresh made for one item is what the next item reads.
	const session = await openSaasSession(ctx, system, now);
	const credential = ctx.getNode().credentials?.[session.credentialType]?.name ?? session.credentialType;
	const status = session.status;
	let live: LiveResult;
	if (!liveCheck) live = { checked: false, ok: false, message: 'Live Check is off' };
	else if (status.state === 'expired') live = { checked: false, ok: false, message: 'not tried: the credential has expired' };
	else live = await ping(session);

	const verdict = verdictOf(status, live);
	// n8n renews an OAuth2 access token on its own, and the lifetime it was issued with is counted
	// from when the account was connected: a number of days for it would only mislead an alert.
	const accessExpiryMatters = !session.refreshable || status.findings.some((f) => f.code === 'credential_expired' || f.code === 'credential_expiring');
	const daysUntilAccessExpiry = accessExpiryMatters ? status.daysUntilAccessExpiry : undefined;
	const findings = status.findings.map((f) => ({ code: f.code, message: f.message, daysLeft: f.daysLeft ?? null }));
	const entry = run.record({
		agentId,
		actor: { type: 'system', id: 'credential-check' },
		event: verdict.event,
		subject: { system },
		details: {
			// Not `credential`: the trail redacts values under keys that name credentials.
			credentialName: credential,
			credentialType: session.credentialType,
			state: verdict.state,
			findings: status.findings.map((f) => (f.daysLeft === undefined ? { code: f.code } : { code: f.code, daysLeft: f.daysLeft })),
			live: { checked: live.checked, ok: live.ok, refreshed: live.refreshed, code: live.code },
			daysUntilAccessExpiry,
			daysUntilRefreshExpiry: status.daysUntilRefreshExpiry,
			rotationDueAt: status.rotationDueAt,
			owner: status.owner,
		},
	});
	const json: IDataObject = {
		system,
		credential,
		credentialType: session.credentialType,
		state: verdict.state,
		summary: summaryOf(SYSTEM_NAMES[system], credential, verdict),
		daysUntilAccessExpiry: daysUntilAccessExpiry ?? null,
		daysUntilRefreshExpiry: status.daysUntilRefreshExpiry ?? null,
		rotationDueAt: status.rotationDueAt ?? null,
		owner: status.owner ?? null,
		findings,
		live: live as unknown as IDataObject,
		checkedAt: new Date(now).toISOString(),
	};
	return {
		route: verdict.state === 'ok' ? OK : ATTENTION,
		item: { json, pairedItem: { item: i } },
		stamp: { decision: verdict.state, reasons: verdict.reasons, agentId, entry },
	};
}

/** The cheap authenticated call; on a 401, n8n refreshes an OAuth2 token (and stores it) and the call is made once more. */
async function ping(session: SaasSession): Promise<LiveResult> {
	const before = session.adapter;
	try {
		await session.call((adapter) => adapter.ping());
		return { checked: true, ok: true, refreshed: session.adapter !== before };
	} catch (error) {
		if (error instanceof SaasError) return liveFailure(error, session.refreshable, session.adapter !== before);
		throw error;
	}
}

/** The credential's fields as its form labels them, so the fix names what the user sees. */
const FIELD_LABELS: Record<string, string> = {
	lastRotated: 'Last Rotated',
	ownerEmail: 'Owner E-Mail',
	rotationIntervalDays: 'Rotation Interval (Days)',
	warningDays: 'Warning Window (Days)',
	accessTokenExpiresAt: 'Token Expires At',
	tokenObtainedAt: 'Connected At',
	refreshTokenExpiresAt: 'Refresh Token Expires At',
	realmId: 'Company ID (Realm ID)',
	subdomain: 'Subdomain',
	email: 'Email',
	apiToken: 'API Token',
};

function checkError(ctx: IExecuteFunctions, error: unknown, system: SaasSystem, i: number): NodeOperationError {
	if (error instanceof SaasCredentialError) {
		if (error.code === 'credential_missing') {
			return new NodeOperationError(ctx.getNode(), `Item ${i}: ${error.message}`, { itemIndex: i, description: `Select the ${SYSTEM_NAMES[system]} credential to check. Nothing was checked.` });
		}
		const credentialName = ctx.getNode().credentials?.[credentialTypeFor(ctx, system)]?.name;
		const field = error.field ?? 'credential';
		const label = FIELD_LABELS[field];
		const fix = label
			? `Open the credential${credentialName ? ` "${credentialName}"` : ''} and correct "${label}" (dates as YYYY-MM-DD). Nothing was checked for this item.`
			: `Open the credential${credentialName ? ` "${credentialName}"` : ''} and reconnect it ("Connect my account"). Nothing was checked for this item.`;
		return new NodeOperationError(ctx.getNode(), `Item ${i}, credential${credentialName ? ` "${credentialName}"` : ''}, field "${field}": ${error.message}`, { itemIndex: i, description: fix });
	}
	if (error instanceof InvalidAgentIdError) return toNodeError(ctx, error, i, 'agentId');
	return toNodeError(ctx, error, i);
}
