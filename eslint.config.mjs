// @ts-check
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Chaincode runs on every endorsing peer and must compute the same read/write set on each, so
 * anything that reads a local clock, randomness or a timer is forbidden in chaincode sources.
 * Time comes from ctx.stub.getTxTimestamp() / getDateTimestamp() only.
 */
const determinism = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Non-deterministic: use ctx.stub.getTxTimestamp().' },
    { object: 'Math', property: 'random', message: 'Non-deterministic: chaincode must not use randomness.' },
    { object: 'crypto', property: 'randomUUID', message: 'Non-deterministic: derive ids from the txId.' },
    { object: 'crypto', property: 'randomBytes', message: 'Non-deterministic: derive ids from the txId.' },
    { object: 'process', property: 'hrtime', message: 'Non-deterministic: use ctx.stub.getTxTimestamp().' },
    { object: 'performance', property: 'now', message: 'Non-deterministic: use ctx.stub.getTxTimestamp().' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'Timers are non-deterministic in chaincode.' },
    { name: 'setInterval', message: 'Timers are non-deterministic in chaincode.' },
    { name: 'setImmediate', message: 'Timers are non-deterministic in chaincode.' },
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: 'Non-deterministic: new Date() reads the local clock; use ctx.stub.getDateTimestamp().',
    },
    {
      selector: "CallExpression[callee.name='Date']",
      message: 'Non-deterministic: Date() reads the local clock.',
    },
    {
      selector: "ForInStatement",
      message: 'for…in order depends on insertion history; iterate sorted keys instead.',
    },
  ],
  'no-restricted-imports': [
    'error',
    { name: 'crypto', importNames: ['randomUUID', 'randomBytes', 'randomInt'], message: 'Non-deterministic in chaincode.' },
    { name: 'node:crypto', importNames: ['randomUUID', 'randomBytes', 'randomInt'], message: 'Non-deterministic in chaincode.' },
    { name: 'timers', message: 'Timers are non-deterministic in chaincode.' },
    { name: 'node:timers', message: 'Timers are non-deterministic in chaincode.' },
  ],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.govshare/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    // govshare-contract runs inside the chaincode too.
    files: ['chaincode/src/**/*.ts', 'contract/src/**/*.ts'],
    rules: determinism,
  },
  {
    // The web console runs in browsers: its DOM types come from gateway/console/tsconfig.app.json (lib DOM), found
    // by the project service like every other tsconfig; Node's built-in modules do not exist there.
    files: ['gateway/console/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'crypto', 'http', 'https', 'child_process', 'stream', 'buffer'],
              message: 'The console runs in the browser: no Node built-ins.',
            },
          ],
        },
      ],
      // The console shares the API's shapes as types only: govshare-contract's runtime needs Node.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { name: 'govshare-contract', allowTypeImports: true, message: 'Import govshare-contract as types only (import type).' },
      ],
    },
  },
  {
    // Plain JavaScript (the chaincode builders' helpers, the gateway config writer, the bench workloads, the configs):
    // the same recommended and strict rules, without the type-aware ones (there are no types to check).
    files: ['**/*.{js,cjs,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // CommonJS modules load their dependencies with require().
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
