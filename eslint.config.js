// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folders of ours, by the layer they belong to (docs/architecture.md). */
const ours = {
  connectors: '**/connectors/**',
  composition: '**/composition/**',
  functions: '**/functions/**',
  bot: '**/bot/**',
  adaptiveCards: '**/adaptiveCards/**',
  simulators: '**/simulators/**',
  core: '**/core/**',
  test: '**/test/**',
  scripts: '**/scripts/**',
};

/** @param {string} group @param {string} message */
const banned = (group, message) => ({ group: [group], message });

/** @param {string[]} layers @param {string} who */
const zone = (layers, who) =>
  layers.map((layer) =>
    banned(
      ours[/** @type {keyof typeof ours} */ (layer)],
      `${who} must not import from ${layer}/ (dependencies point inward).`,
    ),
  );

// Module-level constants of primitive values (numbers, strings, sums of them) are UPPER_SNAKE_CASE.
const primitiveInit = [
  "[init.type='Literal']:not([init.regex])",
  "[init.type='TemplateLiteral'][init.expressions.length=0]",
  "[init.type='BinaryExpression'][init.left.type='Literal'][init.right.type='Literal']",
  "[init.type='UnaryExpression'][init.argument.type='Literal']",
];
const constantSelectors = ['Program >', 'Program > ExportNamedDeclaration >'].flatMap((parent) =>
  primitiveInit.map(
    (init) =>
      `${parent} VariableDeclaration[kind='const'] > VariableDeclarator[id.type='Identifier'][id.name=/^[a-z]/]${init}`,
  ),
);

const sdkPackages = [
  '@azure/*',
  '@microsoft/*',
  'botbuilder',
  'botbuilder-*',
  'botframework-*',
  'adaptivecards',
  'croner',
  'node:*',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.lightdesk/**',
      'coverage/**',
      'simulators/console/public/**',
      '.dependency-cruiser.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "ThrowStatement > NewExpression[callee.name='Error']",
          message: 'Throw an AppError subclass from core/errors.ts instead of a bare Error.',
        },
        ...constantSelectors.map((selector) => ({
          selector,
          message: 'Name a module-level constant of a primitive value in UPPER_SNAKE_CASE.',
        })),
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration in composition/config.ts only.',
        },
      ],
    },
  },
  {
    files: ['core/errors.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['composition/**', 'test/**', 'simulators/**', 'scripts/**', '*.config.*'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...zone(
              [
                'connectors',
                'composition',
                'functions',
                'bot',
                'adaptiveCards',
                'simulators',
                'test',
                'scripts',
              ],
              'core',
            ),
            banned(sdkPackages.join(','), 'core imports zod only.'),
            ...sdkPackages.map((p) => banned(p, 'core imports zod only.')),
          ],
        },
      ],
    },
  },
  {
    files: ['adaptiveCards/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: zone(
            ['connectors', 'composition', 'functions', 'bot', 'simulators', 'test'],
            'adaptiveCards',
          ),
        },
      ],
    },
  },
  {
    files: ['connectors/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: zone(
            ['composition', 'functions', 'bot', 'adaptiveCards', 'simulators', 'test'],
            'connectors',
          ),
        },
      ],
    },
  },
  {
    files: ['functions/**', 'bot/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: zone(
            ['composition', 'connectors', 'simulators', 'test', 'scripts'],
            'functions and bot',
          ),
        },
      ],
    },
  },
  {
    files: ['simulators/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: zone(
            ['core', 'connectors', 'composition', 'functions', 'bot', 'adaptiveCards', 'test'],
            'simulators',
          ),
        },
      ],
    },
  },
  {
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Pages served to a browser (the console, the tab): browser globals, plain errors.
    files: ['simulators/console/**/*.js', 'tab/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'fetch',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'console',
          'URL',
          'URLSearchParams',
          'location',
          'sessionStorage',
          'matchMedia',
          'AdaptiveCards',
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: { 'no-restricted-syntax': 'off' },
  },
);
