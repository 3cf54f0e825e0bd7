/**
 * Runs node types inside a real n8n workflow execution (n8n-core `WorkflowExecute`) in the
 * test process: parameters, expressions, credentials, continueOnFail, errors, multiple
 * outputs and binary data go through n8n's own code, not mocks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Container } from '@n8n/di'; // n8n-core's own DI container (its pinned dependency)
import { BinaryDataConfig, BinaryDataService, ExecutionLifecycleHooks, ExternalSecretsProxy, WorkflowExecute } from 'n8n-core';
// Not re-exported by n8n-core's index; every node execution context resolves it (see cleanUp).
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import { ICredentialsHelper, NodeHelpers, NodeOperationError, UnexpectedError, Workflow } from 'n8n-workflow';
import type {
	IBinaryKeyData, ICredentialDataDecryptedObject, ICredentials, IConnections, IDataObject, IExecuteData,
	IHttpRequestOptions, INode, INodeCredentialsDetails, INodeExecutionData, INodeProperties, INodeType,
	INodeTypes, IRun, IRunData, ITriggerFunctions, ITriggerResponse, IVersionedNodeType, IWorkflowBase,
	IWorkflowExecuteAdditionalData, OnError, WorkflowExecuteMode,
} from 'n8n-workflow';

export interface InProcessNode {
	name: string;
	type: string;
	typeVersion?: number;
	parameters?: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	continueOnFail?: boolean;
	onError?: OnError;
	position?: [number, number];
}

export interface RunOptions {
	/** type name -> node type, e.g. `{ 'n8n-nodes-agent-guard.auditLogger': new AuditLogger() }` */
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	/** a Manual Trigger (MANUAL_TRIGGER_NAME) is added as start node unless a trigger/poll node is given */
	nodes: InProcessNode[];
	/** main connections `[from, to, fromOutput = 0]`; nodes without an incoming one are fed by the trigger */
	connections?: Array<[from: string, to: string, fromOutput?: number]>;
	/** credential type name -> what `this.getCredentials(type)` returns */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** items the added Manual Trigger emits (default `[{}]`, like n8n's) */
	input?: IDataObject[];
	executionId?: string;
}

export interface NodeRunError {
	message: string;
	description?: string;
	itemIndex?: number;
}

/** Accessors read a node's latest run; they throw if the node did not run. */
export interface RunResult {
	nodeOutput(name: string, output?: number): IDataObject[];
	items(name: string, output?: number): INodeExecutionData[];
	binary(name: string, output?: number): IBinaryKeyData[];
	error(name: string): NodeRunError | undefined;
	runData: IRunData;
	executionId: string;
	run: IRun;
}

export const MANUAL_TRIGGER_NAME = 'Manual Trigger';
export const MANUAL_TRIGGER_TYPE = 'agentGuardTest.manualTrigger';

// n8n-core reads N8N_USER_FOLDER when InstanceSettings is first resolved from the DI container
// (lazily, on the first runWorkflow) and writes `<folder>/.n8n/config` there: use a throwaway folder.
const userFolder = mkdtempSync(path.join(tmpdir(), 'agent-guard-n8n-'));
process.env.N8N_USER_FOLDER = userFolder;

let servicesReady: Promise<void> | undefined;
/** Binary data stays inline (base64 in `data`: n8n's 'default' mode); other services resolve lazily. */
function setUpServices(): Promise<void> {
	servicesReady ??= (async () => {
		Container.get(BinaryDataConfig).mode = 'default';
		await Container.get(BinaryDataService).init();
	})();
	return servicesReady;
}

/** Stops n8n-core's SSH client cleanup interval (started, not unref'd, by the first node context,
 * which otherwise keeps Jest from exiting) and removes the temp folder. Registered with afterAll. */
export function cleanUp(): void {
	if (servicesReady) Container.get(SSHClientsManager).onShutdown();
	rmSync(userFolder, { recursive: true, force: true });
}
if (typeof afterAll === 'function') afterAll(cleanUp);

/** Behaves like n8n-nodes-base.manualTrigger, but emits the given items instead of `[{}]`. */
function manualTrigger(items: IDataObject[]): INodeType {
	return {
		description: {
			displayName: 'Manual Trigger',
			name: MANUAL_TRIGGER_TYPE,
			group: ['trigger'],
			version: 1,
			description: 'Emits the test input when the workflow is executed manually',
			defaults: { name: MANUAL_TRIGGER_NAME },
			inputs: [],
			outputs: ['main'],
			properties: [],
		},
		async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
			return { manualTriggerFunction: async () => this.emit([this.helpers.returnJsonArray(structuredClone(items))]) };
		},
	};
}

/** Serves `opts.credentials[type]` to `this.getCredentials`, like n8n's CredentialsHelper after decryption. */
class InMemoryCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly byType: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}
	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.byType[type];
		if (data) return structuredClone(data);
		const message = `No test credentials of type "${type}" (node credential "${nodeCredentials.name}")`;
		throw executeData ? new NodeOperationError(executeData.node, message) : new UnexpectedError(message);
	}
	async updateCredentials(_n: unknown, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.byType[type] = data;
	}
	async updateCredentialsOauthTokenData(_n: unknown, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.byType[type] = data;
	}
	async authenticate(): Promise<IHttpRequestOptions> {
		throw new UnexpectedError('Credential authentication (httpRequestWithAuthentication) is not supported in-process');
	}
	async preAuthentication(): Promise<undefined> {
		return undefined;
	}
	async getCredentials(): Promise<ICredentials> {
		throw new UnexpectedError('Encrypted credentials are not available in-process');
	}
	getParentTypes(): string[] {
		return [];
	}
	getCredentialsProperties(): INodeProperties[] {
		return [];
	}
}

let executionSeq = 0;

export async function runWorkflow(opts: RunOptions): Promise<RunResult> {
	await setUpServices();
	const executionId = opts.executionId ?? String(++executionSeq);
	const types: Record<string, INodeType | IVersionedNodeType> = { ...opts.nodeTypes };
	const nodeTypes: INodeTypes = {
		getByName: (type) => types[type] ?? unknownType(type),
		getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(types[type] ?? unknownType(type), version),
		getKnownTypes: () => ({}),
	};
	const isTrigger = (n: InProcessNode) => {
		const t = types[n.type] && nodeTypes.getByNameAndVersion(n.type, n.typeVersion);
		return !!t && (t.trigger !== undefined || t.poll !== undefined);
	};

	const given = [...opts.nodes];
	const links = [...(opts.connections ?? [])];
	if (!given.some(isTrigger)) {
		types[MANUAL_TRIGGER_TYPE] = manualTrigger(opts.input ?? [{}]);
		const fed = new Set(links.map(([, to]) => to));
		for (const n of given) if (!fed.has(n.name)) links.push([MANUAL_TRIGGER_NAME, n.name, 0]);
		given.unshift({ name: MANUAL_TRIGGER_NAME, type: MANUAL_TRIGGER_TYPE });
	}
	const nodes: INode[] = given.map((n, i) => ({
		id: `node-${i}`,
		name: n.name,
		type: n.type,
		typeVersion: n.typeVersion ?? defaultVersion(types[n.type]),
		position: n.position ?? [i * 220, 0],
		// parameters are plain JSON written by the test, the shape n8n stores them in
		parameters: (n.parameters ?? {}) as INode['parameters'],
		...(n.credentials && { credentials: n.credentials }),
		...(n.continueOnFail !== undefined && { continueOnFail: n.continueOnFail }),
		...(n.onError && { onError: n.onError }),
	}));
	const connections: IConnections = {};
	for (const [from, to, output = 0] of links) {
		const outputs = ((connections[from] ??= {}).main ??= []);
		while (outputs.length <= output) outputs.push([]);
		(outputs[output] ??= []).push({ node: to, type: 'main', index: 0 });
	}

	const workflowData: IWorkflowBase = {
		id: 'in-process-test',
		name: 'in-process test workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	};
	const workflow = new Workflow({ ...workflowData, nodeTypes, staticData: {} });
	const notAvailable = (what: string) => async () => {
		throw new UnexpectedError(`${what} is not available in-process`);
	};
	const base = 'http://localhost:5678';
	const additionalData: IWorkflowExecuteAdditionalData = {
		credentialsHelper: new InMemoryCredentialsHelper({ ...opts.credentials }),
		hooks: new ExecutionLifecycleHooks('manual', executionId, workflowData),
		externalSecretsProxy: new ExternalSecretsProxy(), // no secrets providers: $secrets stays empty
		executionId,
		currentNodeExecutionIndex: 0,
		currentNodeParameters: undefined,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		userId: 'in-process-test-user',
		variables: {},
		executeWorkflow: notAvailable('executeWorkflow (sub-workflows)'),
		getRunExecutionData: async () => undefined,
		logAiEvent: () => undefined,
		startRunnerTask: notAvailable('startRunnerTask (task runners)'),
	};

	const run = await new WorkflowExecute(additionalData, 'manual').run({ workflow });
	const runData = run.data.resultData.runData;
	const latestTask = (name: string) => {
		const task = runData[name]?.at(-1);
		if (task) return task;
		const why = run.data.resultData.error?.message;
		throw new Error(`Node "${name}" did not run${why ? ` (workflow error: ${why})` : ''}`);
	};
	const items = (name: string, output = 0) => latestTask(name).data?.main[output] ?? [];
	return {
		items,
		nodeOutput: (name, output) => items(name, output).map((item) => item.json),
		binary: (name, output) => items(name, output).map((item) => item.binary ?? {}),
		error: (name) => {
			const err = latestTask(name).error;
			if (!err) return undefined;
			const itemIndex = err.context?.itemIndex;
			return {
				message: err.message,
				...(err.description && { description: err.description }),
				...(typeof itemIndex === 'number' && { itemIndex }),
			};
		},
		runData,
		executionId,
		run,
	};
}

function unknownType(type: string): never {
	throw new UnexpectedError(`Unknown node type "${type}": add it to RunOptions.nodeTypes`);
}

function defaultVersion(type: INodeType | IVersionedNodeType | undefined): number {
	if (!type) return 1;
	if ('nodeVersions' in type) return type.currentVersion;
	const { version } = type.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}
