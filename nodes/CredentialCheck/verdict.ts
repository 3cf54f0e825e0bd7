import type { CredentialFindingCode, CredentialStatus } from '../../lib/credentials/expiry';
import type { Reason } from '../../lib/runtime/reasons';
import { SaasError } from '../../lib/saas/types';

/**
 * What Credential Check decides from a credential's status and its live call, in one place:
 * the state, the route, the reasons on the item and the event in the trail.
 */
export type CheckState = 'ok' | 'attention' | 'expired';

export type LiveCode = 'token_rejected' | 'system_unavailable' | 'live_check_failed';

export interface LiveResult {
	/** Whether the authenticated test call was made. */
	checked: boolean;
	/** Whether the system accepted the token (false when not checked). */
	ok: boolean;
	/** Whether n8n refreshed the OAuth token on the way (a 401, then a refresh that worked). */
	refreshed?: boolean;
	code?: LiveCode;
	message?: string;
}

/** The trail events, stable names: workflows and queries rely on them. */
export const CREDENTIAL_EVENTS = {
	/** The credential is fine (and, with Live Check, the system accepted it). */
	checked: 'credential.checked',
	/** A token or the refresh token has expired: nothing should use the credential. */
	expired: 'credential.expired',
	/** The system refused the token even after a refresh. */
	rejected: 'credential.rejected',
	/** An expiry or rotation date is within the warning window (or rotation is overdue). */
	expiring: 'credential.expiring',
	/** Anything else that needs a person: no owner, rotation untracked, system not answering. */
	attention: 'credential.attention',
} as const;

const EXPIRING: ReadonlySet<CredentialFindingCode> = new Set(['credential_expiring', 'refresh_token_expiring', 'rotation_due']);

/** Maps the error of a failed ping to what the check reports. */
export function liveFailure(error: SaasError, refreshable: boolean, refreshed: boolean): LiveResult {
	if (error.code === 'unauthorized') {
		// A refreshable token's error already says what happened to the refresh.
		const message = refreshable ? error.message : `the token was refused: issue a new one and update the credential (${error.message})`;
		return { checked: true, ok: false, refreshed, code: 'token_rejected', message };
	}
	if (error.code === 'system_unavailable' || error.code === 'rate_limited') {
		return { checked: true, ok: false, refreshed, code: 'system_unavailable', message: `the token could not be verified: ${error.message}` };
	}
	return { checked: true, ok: false, refreshed, code: 'live_check_failed', message: `the test call failed: ${error.message}` };
}

export interface Verdict {
	state: CheckState;
	reasons: Reason[];
	event: string;
}

export function verdictOf(status: CredentialStatus, live: LiveResult): Verdict {
	const reasons: Reason[] = status.findings.map((f) => ({ code: f.code, message: f.message }));
	if (live.checked && !live.ok && live.code) reasons.push({ code: live.code, message: live.message ?? live.code });
	if (status.state === 'expired') return { state: 'expired', reasons, event: CREDENTIAL_EVENTS.expired };
	if (live.code === 'token_rejected') return { state: 'attention', reasons, event: CREDENTIAL_EVENTS.rejected };
	if (reasons.length === 0) return { state: 'ok', reasons, event: CREDENTIAL_EVENTS.checked };
	const expiring = status.findings.some((f) => EXPIRING.has(f.code));
	return { state: 'attention', reasons, event: expiring ? CREDENTIAL_EVENTS.expiring : CREDENTIAL_EVENTS.attention };
}

/** One line an alert (e-mail, Slack) can use as it is. */
export function summaryOf(systemName: string, credential: string, verdict: Verdict): string {
	const what = `${systemName} credential "${credential}"`;
	if (verdict.state === 'ok') return `${what} is fine.`;
	const head = verdict.state === 'expired' ? `${what} has expired` : `${what} needs attention`;
	return `${head}: ${verdict.reasons.map((r) => r.message).join('; ')}.`;
}
