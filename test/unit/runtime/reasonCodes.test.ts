import fs from 'node:fs';
import path from 'node:path';
import { REASON_CODES } from '../../../lib/runtime/reasons';

/** Workflows branch on reason codes: the README's list and the catalogue in code must be the same set. */
test('every reason code in the README is in REASON_CODES, and every one in REASON_CODES is in the README', () => {
	const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
	const section = readme.slice(readme.indexOf('## Reason codes'), readme.indexOf('\n## ', readme.indexOf('## Reason codes') + 3));
	const documented = new Set([...section.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]));
	const catalogued = new Set(Object.keys(REASON_CODES));
	expect([...documented].filter((c) => !catalogued.has(c)).sort()).toEqual([]);
	expect([...catalogued].filter((c) => !documented.has(c)).sort()).toEqual([]);
});
