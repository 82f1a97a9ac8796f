// The layers of docs/architecture.md, checked on the compiled import graph (type-only imports
// included: a circle through types is still a circle for the reader). `npm run check` runs it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import circle: two modules that cannot be understood (or loaded) one without the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nothing-imports-composition',
      severity: 'error',
      comment:
        'composition/ is the only wiring place: it imports the layers, never the other way round.',
      from: { path: '^(core|connectors|adaptiveCards|bot|functions|simulators)/' },
      to: { path: '^composition/' },
    },
    {
      name: 'core-imports-zod-only',
      severity: 'error',
      comment: 'core/ is the domain: it imports zod and nothing else (no SDK, no other folder).',
      from: { path: '^core/' },
      to: { pathNot: ['^core/', '^node_modules/zod/'] },
    },
    {
      name: 'adaptive-cards-import-core-only',
      severity: 'error',
      comment: 'Card builders are pure: view model in, card JSON out.',
      from: { path: '^adaptiveCards/' },
      to: { path: '^(connectors|bot|functions|simulators)/' },
    },
    {
      name: 'connectors-implement-ports',
      severity: 'error',
      comment: 'Connectors implement core ports; they know no entry point, card or simulator.',
      from: { path: '^connectors/' },
      to: { path: '^(bot|functions|adaptiveCards|simulators)/' },
    },
    {
      name: 'no-connector-imports-another',
      severity: 'error',
      comment:
        'One folder per external system; only the shared HTTP pipeline and system/ are common.',
      from: { path: '^connectors/([^/]+)/' },
      to: { path: '^connectors/', pathNot: ['^connectors/$1/', '^connectors/(http|system)/'] },
    },
    {
      name: 'entry-points-use-core',
      severity: 'error',
      comment:
        'Functions and the bot call use cases; connectors are handed to them by composition/.',
      from: { path: '^(bot|functions)/' },
      to: { path: '^(connectors|simulators)/' },
    },
    {
      name: 'simulators-stand-alone',
      severity: 'error',
      comment:
        'Simulators are fakes of other companies’ services: they share nothing with the product.',
      from: { path: '^simulators/' },
      to: { path: '^(core|connectors|adaptiveCards|bot|functions)/' },
    },
    {
      name: 'product-never-imports-tests',
      severity: 'error',
      from: { path: '^(core|connectors|adaptiveCards|bot|functions|composition|simulators)/' },
      to: { path: '^(test|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    extraExtensionsToScan: [],
  },
};
