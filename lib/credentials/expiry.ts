/**
 * Expiry and rotation status of a SaaS credential, from what n8n stores for it (the OAuth
 * token data) and the tracking fields our credential types add. Pure: Credential Check and
 * every node that writes with a credential decide from this. Unknown or malformed dates fail
 * closed: they are errors, never "fine".
 */
export interface CredentialTracking {
	/** When the access token stops working (epoch ms), when known. */
	accessTokenExpiresAt?: number;
	/** When the refresh token stops working for good (QuickBooks: 100 days; epoch ms). */
	refreshTokenExpiresAt?: number;
	rotationIntervalDays?: number;
	lastRotatedAt?: number;
	owner?: string;
	warningDays: number;
}

export type CredentialFindingCode =
	| 'credential_expired'
	| 'refresh_token_expired'
	| 'credential_expiring'
	| 'refresh_token_expiring'
	| 'rotation_due'
	| 'rotation_untracked'
	| 'owner_missing';

export interface CredentialFinding {
	code: CredentialFindingCode;
	message: string;
	daysLeft?: number;
}

export interface CredentialStatus {
	/** expired: refuse to act with it; attention: act, and warn; ok: act. */
	state: 'ok' | 'attention' | 'expired';
	findings: CredentialFinding[];
	daysUntilAccessExpiry?: number;
	daysUntilRefreshExpiry?: number;
	rotationDueAt?: string;
	owner?: string;
}

export class CredentialDataError extends Error {
	readonly code = 'invalid_credential_data';
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
	}
}

const DAY = 86_400_000;

function days(ms: number): number {
	return Math.floor(ms / DAY);
}

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

export function credentialStatus(t: CredentialTracking, now: number): CredentialStatus {
	const findings: CredentialFinding[] = [];
	const window = t.warningDays * DAY;
	let expired = false;
	const status: CredentialStatus = { state: 'ok', findings, owner: t.owner };
	if (t.refreshTokenExpiresAt !== undefined) {
		const left = t.refreshTokenExpiresAt - now;
		status.daysUntilRefreshExpiry = days(left);
		if (left <= 0) {
			expired = true;
			findings.push({ code: 'refresh_token_expired', message: `the refresh token expired on ${iso(t.refreshTokenExpiresAt)}: reconnect the credential in n8n`, daysLeft: 0 });
		} else if (left <= window) {
			findings.push({ code: 'refresh_token_expiring', message: `the refresh token expires on ${iso(t.refreshTokenExpiresAt)} (in ${days(left)} days): reconnect the credential before then`, daysLeft: days(left) });
		}
	}
	if (t.accessTokenExpiresAt !== undefined) {
		const left = t.accessTokenExpiresAt - now;
		status.daysUntilAccessExpiry = days(left);
		// A refreshable access token renews itself; one without a refresh token is the credential.
		const renewable = t.refreshTokenExpiresAt !== undefined && t.refreshTokenExpiresAt > now;
		if (left <= 0 && !renewable) {
			expired = true;
			findings.push({ code: 'credential_expired', message: `the token expired on ${iso(t.accessTokenExpiresAt)}: issue a new one and update the credential`, daysLeft: 0 });
		} else if (left > 0 && left <= window && !renewable) {
			findings.push({ code: 'credential_expiring', message: `the token expires on ${iso(t.accessTokenExpiresAt)} (in ${days(left)} days)`, daysLeft: days(left) });
		}
	}
	if (t.rotationIntervalDays === undefined || t.lastRotatedAt === undefined) {
		findings.push({ code: 'rotation_untracked', message: 'no rotation interval or last-rotated date is set: fill both in the credential (90 days or less is the policy)' });
	} else {
		const due = t.lastRotatedAt + t.rotationIntervalDays * DAY;
		status.rotationDueAt = iso(due);
		if (due - now <= window) {
			findings.push({ code: 'rotation_due', message: due <= now ? `rotation was due on ${iso(due)}: rotate the secret and update "Last Rotated"` : `rotation is due on ${iso(due)} (in ${days(due - now)} days)`, daysLeft: Math.max(0, days(due - now)) });
		}
	}
	if (!t.owner) findings.push({ code: 'owner_missing', message: 'no owner e-mail is set: nobody would be told when it expires' });
	status.state = expired ? 'expired' : findings.length ? 'attention' : 'ok';
	return status;
}

function dateField(data: Record<string, unknown>, field: string): number | undefined {
	const raw = data[field];
	if (raw === undefined || raw === null || raw === '') return undefined;
	const ms = typeof raw === 'number' ? raw : Date.parse(String(raw));
	if (!Number.isFinite(ms)) throw new CredentialDataError(field, `"${field}" is not a date (${JSON.stringify(String(raw)).slice(0, 40)}): use YYYY-MM-DD`);
	return ms;
}

function numberField(data: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
	const raw = data[field];
	if (raw === undefined || raw === null || raw === '' || raw === 0) return undefined;
	const n = Number(raw);
	if (!Number.isFinite(n) || n < min || n > max) throw new CredentialDataError(field, `"${field}" must be a number from ${min} to ${max}`);
	return n;
}

/**
 * Reads tracking from credential data as n8n hands it to a node: our fields, and the OAuth
 * token data n8n keeps (`oauthTokenData`: Salesforce gives `issued_at`; QuickBooks gives
 * `x_refresh_token_expires_in`, Zendesk `refresh_token_expires_in`, counted from when the token was
 * obtained, if that is known).
 */
export function trackingFromCredential(data: Record<string, unknown>): CredentialTracking {
	const token = (data.oauthTokenData ?? {}) as Record<string, unknown>;
	const issuedAt = token.issued_at !== undefined ? Number(token.issued_at) : undefined;
	const obtainedAt = dateField(data, 'tokenObtainedAt') ?? (Number.isFinite(issuedAt) ? issuedAt : undefined);
	let accessTokenExpiresAt = dateField(data, 'accessTokenExpiresAt');
	if (accessTokenExpiresAt === undefined && obtainedAt !== undefined && Number(token.expires_in) > 0) accessTokenExpiresAt = obtainedAt + Number(token.expires_in) * 1000;
	let refreshTokenExpiresAt = dateField(data, 'refreshTokenExpiresAt');
	// QuickBooks says x_refresh_token_expires_in, Zendesk refresh_token_expires_in.
	const refreshLifetime = Number(token.x_refresh_token_expires_in ?? token.refresh_token_expires_in);
	if (refreshTokenExpiresAt === undefined && obtainedAt !== undefined && refreshLifetime > 0) {
		refreshTokenExpiresAt = obtainedAt + refreshLifetime * 1000;
	}
	const owner = String(data.ownerEmail ?? '').trim() || undefined;
	if (owner && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(owner)) throw new CredentialDataError('ownerEmail', `"ownerEmail" (${owner}) is not an e-mail address`);
	return {
		accessTokenExpiresAt,
		refreshTokenExpiresAt,
		rotationIntervalDays: numberField(data, 'rotationIntervalDays', 1, 3650),
		lastRotatedAt: dateField(data, 'lastRotated'),
		owner,
		warningDays: numberField(data, 'warningDays', 1, 365) ?? 14,
	};
}
