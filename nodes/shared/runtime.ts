import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IExecuteFunctions,
	INodeCredentialTestResult,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { InvalidAgentIdError } from '../../lib/agents/agent';
import { CanonicalJsonError } from '../../lib/audit/canonical';
import { InvalidEntryError, WrongSecretError } from '../../lib/audit/entry';
import { InvalidQueryError } from '../../lib/audit/query';
import { AgentSuspendedError, GuardRun } from '../../lib/runtime/guardRun';
import { openStore, StoreConfig } from '../../lib/store/open';
import { RedisStore } from '../../lib/store/redis';
import { GuardStore, StoreConfigError, StoreCorruptError, StoreUnavailableError } from '../../lib/store/types';

export function storeConfigFrom(data: ICredentialDataDecryptedObject | undefined): StoreConfig {
	if (!data || data.backend === 'embedded' || data.backend === undefined) {
		const secret = String(data?.signingSecret ?? '');
		if (secret !== '' && secret.length < 32) throw new StoreConfigError('the signing secret in the Agent Guard credential is shorter than 32 characters');
		return { backend: 'embedded', dir: String(data?.journalFolder ?? '') || undefined, secret: secret || undefined };
	}
	if (data.backend !== 'redis') throw new StoreConfigError(`unknown backend "${String(data.backend)}" in the Agent Guard credential`);
	const secret = String(data.signingSecret ?? '');
	if (secret.length < 32) throw new StoreConfigError('the signing secret in the Agent Guard credential must be at least 32 characters (try "openssl rand -hex 32")');
	return {
		backend: 'redis',
		host: String(data.host ?? '127.0.0.1'),
		port: Number(data.port ?? 6379),
		username: String(data.user ?? '') || undefined,
		password: String(data.password ?? '') || undefined,
		tls: data.tls === true,
		db: Number(data.database ?? 0),
		keyPrefix: String(data.keyPrefix ?? '') || 'agent-guard',
		secret,
	};
}

/** The store of the node's Agent Guard credential (or the embedded one without), shared per process. */
export async function openStoreFor(ctx: IExecuteFunctions | IWebhookFunctions): Promise<GuardStore> {
	const hasCredential = ctx.getNode().credentials?.agentGuardApi !== undefined;
	const data = hasCredential ? await ctx.getCredentials('agentGuardApi') : undefined;
	return openStore(storeConfigFrom(data));
}

/** Opens the guard runtime for one node run: store (shared per process), execution context. */
export async function openGuardRun(ctx: IExecuteFunctions): Promise<GuardRun> {
	try {
		const store = await openStoreFor(ctx);
		return new GuardRun(store, { executionId: ctx.getExecutionId(), workflowId: String(ctx.getWorkflow().id ?? ''), node: ctx.getNode().name });
	} catch (error) {
		throw toNodeError(ctx, error);
	}
}

const FIX: Record<string, string> = {
	store_unavailable: 'Check that Redis is running and reachable with the Agent Guard credential (its "Test" button pings it). Guards deny until it answers.',
	store_corrupt: 'Run "agent-guard audit verify" in a terminal to see which line, and restore it from a backup or an export.',
	store_config: 'Fix the Agent Guard credential (backend, signing secret, key prefix).',
	agent_suspended: 'Resume the agent with the Agent Control node or "agent-guard agent resume <id>".',
};

/** Maps anything the engine throws to the error a canvas user can act on. */
export function toNodeError(ctx: IExecuteFunctions | IWebhookFunctions, error: unknown, itemIndex?: number, field?: string): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	const err = error instanceof Error ? error : new Error(String(error));
	const code = codeOf(err);
	const where = itemIndex === undefined ? '' : `Item ${itemIndex}${field ? `, field "${field}"` : ''}: `;
	return new NodeOperationError(ctx.getNode(), `${where}${err.message}`, {
		itemIndex,
		description: FIX[code] ?? (code === 'invalid_input' ? `Fix ${field ? `"${field}"` : 'the parameter'} and run again.` : undefined),
	});
}

export function codeOf(error: unknown): string {
	if (error instanceof StoreUnavailableError) return 'store_unavailable';
	if (error instanceof StoreCorruptError) return 'store_corrupt';
	if (error instanceof StoreConfigError || error instanceof WrongSecretError) return 'store_config';
	if (error instanceof AgentSuspendedError) return 'agent_suspended';
	if (error instanceof InvalidAgentIdError) return 'invalid_agent_id';
	if (error instanceof InvalidEntryError || error instanceof InvalidQueryError || error instanceof CanonicalJsonError) return 'invalid_input';
	return 'error';
}

/** n8n's continue-on-fail: the failed item goes on, carrying its error, instead of stopping the run. */
export function failedItem(error: NodeOperationError, itemIndex: number) {
	return { json: { error: error.message, description: error.description ?? undefined } as JsonObject, pairedItem: { item: itemIndex } };
}

/** Credential test: opens the configured store and, for Redis, pings it. */
export async function agentGuardApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const config = storeConfigFrom(credential.data);
		const store = await openStore(config);
		if (store instanceof RedisStore) await store.ping();
		else await store.head();
		return { status: 'OK', message: config.backend === 'redis' ? `Connected to Redis at ${config.host}:${config.port}` : 'Embedded journal is readable' };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}
