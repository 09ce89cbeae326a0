import tseslint from 'typescript-eslint';

/**
 * Who may import whom (docs/design.md, "The parts"): the domain at the bottom, transport at the edge, the
 * sandbox apart from the client it stands in for. Each folder of src/ lists the folders of src/ it may
 * import (and the files at src/'s root: log, bounded, messages) and the third-party packages it may not.
 */
const FOLDERS = [
  'domain',
  'config',
  'graph',
  'store',
  'cards',
  'decisions',
  'notify',
  'auth',
  'bot',
  'server',
  'sandbox',
  'telemetry',
];
const ROOT_FILES = ['log', 'bounded', 'messages'];

const botFramework = ['botbuilder', 'botbuilder-*', 'botframework-*'];
const restify = ['restify', 'restify-*'];
const graphSdk = ['@microsoft/microsoft-graph-client', '@microsoft/microsoft-graph-client/*'];
const azureSdk = ['@azure/*'];

/** folder → what of src/ it may import, and which packages it may not. */
export const IMPORT_TABLE = {
  domain: { may: [], packages: [...botFramework, ...restify, ...graphSdk, ...azureSdk] },
  config: { may: [], packages: [...botFramework, ...restify, ...graphSdk, ...azureSdk] },
  telemetry: { may: ['log'], packages: [...botFramework, ...restify, ...graphSdk] },
  graph: {
    may: ['domain', 'log', 'bounded', 'telemetry'],
    packages: [...botFramework, ...restify, ...azureSdk],
  },
  store: { may: ['domain', 'log', 'bounded'], packages: [...botFramework, ...restify, ...graphSdk] },
  cards: { may: ['domain', 'bounded'], packages: [...botFramework, ...restify, ...graphSdk, ...azureSdk] },
  decisions: {
    may: ['domain', 'graph', 'store', 'log', 'telemetry'],
    packages: [...botFramework, ...restify, ...graphSdk, ...azureSdk],
  },
  notify: {
    may: ['domain', 'graph', 'cards', 'store', 'log', 'bounded', 'telemetry'],
    packages: [...botFramework, ...restify, ...graphSdk, ...azureSdk],
  },
  auth: { may: ['domain', 'graph', 'log', 'telemetry'], packages: [...restify, ...graphSdk, ...azureSdk] },
  bot: {
    may: [
      'domain',
      'graph',
      'cards',
      'store',
      'decisions',
      'notify',
      'auth',
      'config',
      'log',
      'bounded',
      'messages',
      'telemetry',
    ],
    packages: [...restify, ...graphSdk, ...azureSdk],
  },
  server: { may: ['config', 'log', 'bounded', 'telemetry'], packages: [...graphSdk, ...azureSdk] },
  sandbox: { may: ['log'], packages: [...botFramework, ...restify, ...graphSdk, ...azureSdk] },
};

/** The import patterns a folder may not use: every other folder of src/, at any depth, and its packages. */
function forbidden(folder) {
  const { may, packages } = IMPORT_TABLE[folder];
  const internal = [...FOLDERS, ...ROOT_FILES].filter((name) => name !== folder && !may.includes(name));
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...packages.map((group) => ({ group: [group], message: `${folder}/ may not use ${group}.` })),
          ...internal.map((name) => ({
            group: [`../${name}`, `../${name}/**`, `../../${name}`, `../../${name}/**`],
            message: `${folder}/ may import only ${may.length > 0 ? may.join(', ') : 'nothing else'} of src/ (eslint.config.mjs, IMPORT_TABLE).`,
          })),
        ],
      },
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'coverage',
      'artifacts',
      'devTools',
      'data',
      'reports',
      '.stryker-tmp',
      '.bench-build',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...FOLDERS.map((folder) => ({ files: [`src/${folder}/**/*.ts`], rules: forbidden(folder) })),
  {
    files: ['src/log.ts', 'src/bounded.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: FOLDERS.map((f) => `./${f}`), message: 'src/ root helpers import no folder.' }],
        },
      ],
    },
  },
);
