import { CredentialDataError, credentialStatus, trackingFromCredential } from '../../../lib/credentials/expiry';

const NOW = Date.parse('2026-11-30T09:00:00Z');
const DAY = 86_400_000;
const tracked = { rotationIntervalDays: 90, lastRotatedAt: NOW - 10 * DAY, owner: 'ops@acme.test', warningDays: 14 };

describe('credentialStatus', () => {
	test('a tracked credential far from every date is ok', () => {
		expect(credentialStatus({ ...tracked, refreshTokenExpiresAt: NOW + 80 * DAY }, NOW)).toMatchObject({ state: 'ok', findings: [], daysUntilRefreshExpiry: 80 });
	});

	test('an expired refresh token is expired (fail closed); inside the window it is attention with the days left', () => {
		expect(credentialStatus({ ...tracked, refreshTokenExpiresAt: NOW - 1 }, NOW)).toMatchObject({ state: 'expired', findings: [{ code: 'refresh_token_expired' }] });
		expect(credentialStatus({ ...tracked, refreshTokenExpiresAt: NOW + 5 * DAY }, NOW)).toMatchObject({ state: 'attention', findings: [{ code: 'refresh_token_expiring', daysLeft: 5 }] });
	});

	test('an expired access token matters only when nothing can renew it', () => {
		expect(credentialStatus({ ...tracked, accessTokenExpiresAt: NOW - DAY }, NOW)).toMatchObject({ state: 'expired', findings: [{ code: 'credential_expired' }] });
		expect(credentialStatus({ ...tracked, accessTokenExpiresAt: NOW - DAY, refreshTokenExpiresAt: NOW + 60 * DAY }, NOW).state).toBe('ok');
	});

	test('rotation due, untracked rotation and a missing owner each need attention', () => {
		expect(credentialStatus({ ...tracked, lastRotatedAt: NOW - 85 * DAY }, NOW).findings.map((f) => f.code)).toEqual(['rotation_due']);
		expect(credentialStatus({ warningDays: 14 }, NOW).findings.map((f) => f.code)).toEqual(['rotation_untracked', 'owner_missing']);
	});
});

describe('trackingFromCredential', () => {
	test('reads QuickBooks refresh-token expiry from the token data counted from when it was obtained', () => {
		const t = trackingFromCredential({ oauthTokenData: { expires_in: 3600, x_refresh_token_expires_in: 8_726_400 }, tokenObtainedAt: '2026-11-01T00:00:00Z', ownerEmail: 'fin@acme.test', rotationIntervalDays: 90, lastRotated: '2026-11-01' });
		expect(t.refreshTokenExpiresAt).toBe(Date.parse('2026-11-01T00:00:00Z') + 101 * DAY);
		expect(t).toMatchObject({ owner: 'fin@acme.test', rotationIntervalDays: 90, warningDays: 14 });
	});

	test('reads Zendesk refresh_token_expires_in the same way', () => {
		const t = trackingFromCredential({ oauthTokenData: { refresh_token_expires_in: 30 * 86_400 }, tokenObtainedAt: '2026-11-01T00:00:00Z' });
		expect(t.refreshTokenExpiresAt).toBe(Date.parse('2026-11-01T00:00:00Z') + 30 * DAY);
	});

	test('reads Salesforce issued_at for the access token expiry', () => {
		expect(trackingFromCredential({ oauthTokenData: { issued_at: String(NOW), expires_in: 7200 } }).accessTokenExpiresAt).toBe(NOW + 7_200_000);
	});

	test.each([
		[{ lastRotated: 'last tuesday' }, 'lastRotated'],
		[{ refreshTokenExpiresAt: '2026-13-45' }, 'refreshTokenExpiresAt'],
		[{ rotationIntervalDays: -3 }, 'rotationIntervalDays'],
		[{ ownerEmail: 'not an address' }, 'ownerEmail'],
	])('malformed tracking data is an error naming the field (%p)', (data, field) => {
		expect(() => trackingFromCredential(data)).toThrow(CredentialDataError);
		try {
			trackingFromCredential(data);
		} catch (error) {
			expect((error as CredentialDataError).field).toBe(field);
		}
	});
});
