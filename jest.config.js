/** Three projects, one command: unit (lib, no services), integration (real Redis,
 * n8n-core running our nodes in-process) and e2e (the pinned real n8n). */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json', isolatedModules: false }];
const common = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	moduleFileExtensions: ['ts', 'js', 'json'],
	modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/test/e2e/n8n/'],
};
module.exports = {
	globalTeardown: '<rootDir>/test/globalTeardown.js',
	projects: [
		{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{ ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
		{ ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
	],
};
