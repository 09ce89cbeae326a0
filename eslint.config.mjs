import tseslint from 'typescript-eslint';

// Who may import whom (docs/architecture in README): transport stays at the edge, the sandbox shares
// nothing with the Graph client it stands in for.
const botFramework = ['botbuilder', 'botbuilder-*', 'botframework-*', 'restify'];
const graphSdk = ['@microsoft/microsoft-graph-client', '@microsoft/microsoft-graph-client/*'];
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'coverage', 'artifacts', 'devTools', 'data', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/graph/**/*.ts'],
    rules: restrict([...botFramework, '**/sandbox', '**/sandbox/**']),
  },
  {
    files: ['src/sandbox/**/*.ts'],
    rules: restrict([...botFramework, ...graphSdk, '**/graph', '**/graph/**']),
  },
  {
    files: ['src/{decisions,notify,cards,store,config}/**/*.ts'],
    rules: restrict([...botFramework, ...graphSdk]),
  },
  {
    files: ['src/{bot,server,auth}/**/*.ts'],
    rules: restrict([...graphSdk, '**/sandbox/**']),
  },
);
